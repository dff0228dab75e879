/**
 * The north-side wrapper (DESIGN.md §2-§4): the application's {@link io.fttcp.api.Network}
 * with two backings, so one unmodified application runs on the primary and on the backup.
 *
 * <p><b>Primary.</b> {@code new LoggingNetwork(stackNetwork, log, outputCommit, hashing)} wraps
 * the stack's sockets and logs every nondeterministic result (ACCEPT, READ, WRITE, READY,
 * CLOSE, CLOCK, SEED) through the {@link io.fttcp.wrappers.nsw.DeterminantLog}, and tells the
 * south side, through the {@link io.fttcp.wrappers.nsw.OutputCommitSink}, which LSN each output
 * byte (and FIN) depends on, before the stack has the bytes. The application takes time and
 * random seeds from {@code LoggingNetwork.runtime()}.
 *
 * <p><b>Backup.</b> {@code new ReplayNetwork(divergenceListener)} runs the same application; the
 * replication receiver calls {@code apply(record)} for every record in LSN order; the
 * application's calls return the logged results, reading the client's bytes from the stream it
 * rebuilds from SEGMENT records, and its output is kept above the client's last ACK and checked
 * against the logged hashes. The application takes time and seeds from {@code ReplayNetwork.runtime()}.
 *
 * <p><b>Takeover.</b> {@code ReplayNetwork.goLive(binding)} hands every connection's
 * {@link io.fttcp.wrappers.nsw.ConnectionImage} to the {@link io.fttcp.wrappers.nsw.LiveBinding},
 * which restores it in the stack; each socket replays what is still queued and then continues
 * on its live socket (see {@code goLive} and {@code LiveBinding.restore} for the exact contract).
 *
 * <p><b>Re-protection.</b> {@code goLive(new LoggingLiveBinding(binding, loggingNetwork))} makes
 * the new primary a protected one: listeners, pollers and new connections come from the
 * {@link io.fttcp.wrappers.nsw.LoggingNetwork}, each restored socket is wrapped by
 * {@code LoggingNetwork.adopt} (its WRITE records continue at the restored send queue's end),
 * and the replayed sockets, pollers and runtime log exactly what they hand out that no record
 * of the old primary holds (unread logged client bytes, writes dropped below the client's
 * acknowledgement, live reads and writes, READY results under the replayed poller's number,
 * real clock and seed values in the replayed thread contexts), never what a queued record
 * replays. A replica replaying the old primary's records and then the new one's follows the
 * new primary exactly. The south side adopts each restored connection
 * ({@code SouthSideWrapper.adopt}).
 *
 * <p><b>Checkpoints.</b> A {@link io.fttcp.api.Checkpointable} application calls
 * {@code runtime().restore(app)} at start and {@code runtime().checkpoint(state)} now and then.
 * On the primary ({@code new LoggingNetwork(..., outputCopyLimit)}) a checkpoint is a CHECKPOINT
 * record: the state, the calling thread's connection, and per connection accepted (open, or among
 * the latest closed) its read and output offsets, shut and closed flags, and a copy of its latest
 * output. On a replica, a stream whose first determinant (record other than CONNECT, SEGMENT,
 * HEARTBEAT) is a CHECKPOINT (what CHECKPOINTED retention hands a recovery) starts there: its
 * connections continue from their entries (reads at the read offset, output kept from the
 * client's acknowledgement), and {@code restore} hands the application the state and a socket per
 * open connection. Later CHECKPOINTs are matched with the replica's own checkpoint() calls and
 * checked ({@code ReplayNetwork.checkpointMismatches()}). After takeover a re-protected server
 * ({@code LoggingLiveBinding}) goes on taking checkpoints in its own log: the replayed
 * connections' entries are the application's view (its read and output offsets), with the
 * restored send queue and later output as the copy.
 *
 * <p><b>What the application must do.</b> Listen on explicit ports; take time and randomness
 * from the runtime (runtime values are scoped per connection: a thread's values are those of the
 * connection it last read, wrote or closed, or, for a thread started right after an accept(),
 * of the accepted connection; see {@link io.fttcp.wrappers.nsw.ThreadConnections}); make its output on each connection depend only on its inputs (results of
 * its socket calls and runtime values) and on the order of calls on that socket direction,
 * never on how its threads interleave (a chat room broadcasting from one thread per client
 * does not qualify: its output order depends on scheduling, and it is detected as diverged;
 * write such a service as one poller loop instead, whose READY records fix the order).
 */
package io.fttcp.wrappers.nsw;
