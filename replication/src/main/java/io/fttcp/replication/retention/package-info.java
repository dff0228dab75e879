/**
 * Retention: which records of a primary's stream a process starting fresh (a new backup joining
 * a running primary, a server restarted from the logger's log) must replay to catch up, and so
 * which ones the primary and the logger may forget (issue 4). {@link
 * io.fttcp.replication.retention.LiveRecordSet} applies the rules record by record, in LSN
 * order, in O(1) amortized time; {@link io.fttcp.replication.retention.RetentionPolicy} picks
 * them.
 *
 * <h2>EVERYTHING</h2>
 * Every record is kept: for applications whose state spans connections (they bound replay
 * with a checkpoint instead).
 *
 * <h2>CONNECTION_SCOPED</h2>
 * For applications whose state lives in their connections (file, web, streaming servers): the
 * records of a connection are kept while it lives, and for a while after it is finished
 * (it <em>lingers</em>), then dropped all at once. The rules follow the backup's replay
 * ({@code io.fttcp.wrappers.nsw.ReplayNetwork}) so that replaying the retained records gives
 * every live and every lingering connection the same state as replaying the whole stream.
 * <ol>
 *   <li><b>Naming.</b> A record names a connection through CONNECT.tuple, SEGMENT.tuple,
 *       ACCEPT.connection, READ.connection, WRITE.connection, CLOSE.socket, CLOCK.context and
 *       SEED.context, each HEARTBEAT entry and each READY entry. A four-tuple with remote address
 *       and port 0 is a listener, not a connection ({@code Clock.NO_CONTEXT} and the ACCEPT of a
 *       non-blocking accept() that found nothing, {@code (0,0,0,0)}, are such tuples). A record
 *       naming a connection belongs to the connection's <em>incarnation</em> current when it
 *       is added: the one started by the latest CONNECT of that four-tuple, as on the backup.</li>
 *   <li><b>Finished.</b> An incarnation is finished when the application closed it (a CLOSE with
 *       {@code How.CLOSE}; a shutdown is not enough) and either the client reset it (any SEGMENT
 *       with RST, even one the backup ignores as garbage) or the client ended its stream and
 *       acknowledged ours: the client's FIN is logged and every client byte before it too
 *       (segments arrive out of order and duplicated; contiguity counts from the client's
 *       ISN + 1, each sequence number read as the offset nearest the contiguous end, mod 2^32),
 *       and the client's acknowledgement, read the backup's way (nearest the previous one, forward
 *       only, from SEGMENTs with ACK that do not lie before the client's SYN), is beyond the end
 *       of the application's output (the highest offset + count of its WRITEs): it covers our
 *       FIN. For acknowledgements a real client sends that is {@code ack == serverIsn + 1 +
 *       outputEnd + 1}. This is {@code ReplayConnection.finished()} read from the records. A
 *       CLOSE with {@code How.RESET} (our side ended it: a takeover gave it up, or the primary's
 *       stack aborted it or timed it out) finishes it alone, the application's close or not;
 *       nothing else finishes a connection. It then lingers (rule 3).</li>
 *   <li><b>Lingering.</b> A finished connection is no longer live, but its records stay
 *       retained, and in snapshots, until it is evicted, as the backup's replay keeps finished
 *       connections to restore them in TIME-WAIT: the client may not have our ACK of its FIN (or
 *       of its last bytes) yet, held for stability or lost at the crash, and retransmits; a
 *       recovered server must answer that, not reset a client that got every byte. Records
 *       naming it that arrive after it finished are not retained (rule 8: the backup's replay
 *       ignores them too). At most {@code maxLingering} connections linger (1024 by default),
 *       and their records hold at most {@code maxLingeringPayloadBytes} of SEGMENT payload (32 MiB
 *       by default); beyond either bound the connection that finished first is evicted, its
 *       records dropped at once (one connection above the byte bound alone goes at once).
 *       Evicting one costs at worst a reset answering the retransmission of a client that
 *       already has all its data, and only if the primary fails before that client got our
 *       last ACK (a few retransmission timeouts): the most recently finished are the ones that
 *       matter, and the byte bound keeps a recovery from replaying large finished uploads.
 *       Bounds are by count and bytes, not time: the stream carries no clock retention could
 *       trust.</li>
 *   <li><b>Reuse.</b> A CONNECT for a four-tuple whose earlier incarnation is still retained,
 *       live or lingering, supersedes it: the earlier incarnation is dropped at once (the
 *       client has started afresh; the backup's replay also switches to the new one and stops
 *       lingering the old). A CONNECT naming a listener tuple is not retained.</li>
 *   <li><b>Global records.</b> Records naming no connection (CLOCK and SEED without a
 *       connection context, ACCEPT of nothing, CLOSE of a listener, READY naming only
 *       listeners, or nothing at all) are kept while they are younger than the CONNECT of the
 *       oldest retained connection (live or lingering), and all are dropped when none is
 *       retained: a process catching up starts replaying at that CONNECT, so only what the
 *       application did since matters to the connections it restores. Lingering connections
 *       count as retained so that one rule holds: every retained record has an LSN at or
 *       above {@link io.fttcp.replication.retention.LiveRecordSet#oldestRetainedLsn()}, the
 *       oldest retained CONNECT's, and what the replayed application sees is a suffix of its
 *       global history, as for live connections.</li>
 *   <li><b>READY.</b> A poll result lists listeners and connections. Entries naming a
 *       connection that is not live (no CONNECT, or finished) are left out on arrival. A READY
 *       naming at least one live connection is kept while one of them is retained; snapshots
 *       show it with its listener entries and the entries of connections still retained (a
 *       replaying poller must not be told about sockets it will never have). When none of its
 *       connections is retained any more, a READY that also names a listener becomes a global
 *       record (rule 5; as it is younger than the CONNECTs of its connections, that is the same
 *       as keeping it while its LSN is above the oldest retained CONNECT), and one that does
 *       not is dropped. A READY whose
 *       every entry names an unknown connection is not retained (rule 8); an empty one is
 *       global.</li>
 *   <li><b>Heartbeats</b> are compacted: the backup keeps only a connection's latest heartbeat
 *       TSval, so per retained connection only its latest entry is kept (a lingering one keeps
 *       the latest it had when it finished). A snapshot shows one
 *       HEARTBEAT per LSN still holding a latest entry, with those entries in their original
 *       order and the original {@code sentAtNanos}. Entries naming connections that are not live
 *       are dropped; a heartbeat with no entries is not kept (it carries nothing replay uses).</li>
 *   <li><b>Unknown connections.</b> A record naming a connection that is not live (never
 *       connected, finished, lingering or not, or superseded) is not retained and is counted in
 *       {@link io.fttcp.replication.retention.LiveRecordSet#recordsNotRetained()}; a HEARTBEAT
 *       or READY counts there when all its entries are such.</li>
 * </ol>
 * A diverged connection (a backup-side notion) is not known here: retention follows the
 * primary's records only. A CHECKPOINT record names no connection a catch-up could replay it
 * for: under CONNECTION_SCOPED it is a global record (rule 5), under EVERYTHING kept as any.
 *
 * <h2>CHECKPOINTED</h2>
 * For applications whose state spans connections and that take checkpoints
 * ({@code io.fttcp.api.Checkpointable}): a process catching up starts from the latest checkpoint
 * the records bear out, and its replay ({@code ReplayNetwork}) continues every connection from
 * the checkpoint's entry. Connections are followed as under CONNECTION_SCOPED rules 1 (naming,
 * incarnations), 2 (finished) and 4 (a CONNECT supersedes), without lingering; besides, per live
 * connection: whether an ACCEPT named it (<em>accepted</em>), its read offset (the sum of its
 * positive READ counts), its output end (rule 2), whether a CLOSE shut its output (any but
 * {@code SHUTDOWN_INPUT}) and whether one closed it ({@code CLOSE}), its client's latest
 * acknowledgement (rule 2's reading) and its latest heartbeat entry (rule 7's).
 * <ul>
 *   <li><b>C1. Before any applied checkpoint</b> every record is kept, as under EVERYTHING.</li>
 *   <li><b>C2. Matching.</b> A CHECKPOINT at LSN C is <em>applied</em> when, for every live
 *       accepted connection, it has an entry naming its four-tuple whose read offset, output
 *       offset, output-shut and closed flags equal the connection's, and whose output starts at or
 *       below {@code min(client's acknowledgement, output offset)} (it holds every byte the client
 *       may lack); and every entry not marked closed names a live accepted connection (entries
 *       marked closed naming no live accepted connection, finished ones, are ignored). Otherwise it
 *       is <em>refused</em> ({@code checkpointsRefused()}) and kept as any record.</li>
 *   <li><b>C3. Applied at C</b>, every record with LSN below C is dropped except, for each
 *       connection live at C (accepted or not): its CONNECT, its latest heartbeat entry before C,
 *       shown as in rule 7 (one HEARTBEAT per LSN holding such entries, in their original order,
 *       with the original {@code sentAtNanos}), and SEGMENT records naming it since that CONNECT
 *       (a record names the incarnation current when added): all of them while it has no entry
 *       (not accepted yet); otherwise, of those still kept (an earlier checkpoint let the others
 *       go), only
 *       <ol type="a">
 *         <li>those carrying client bytes at or beyond the entry's read offset R (unread at C, or
 *             held beyond a hole), each segment placed as rule 2 reads it when it arrives;</li>
 *         <li>those with SYN, FIN or RST;</li>
 *         <li>its latest (before C);</li>
 *         <li>those the backup's replay takes the client's state from: the first that brought
 *             its highest acknowledgement, the latest that set its window (RFC 9293's
 *             SND.WL1/WL2 rule, as {@code ReplayConnection} applies it), and with timestamps the
 *             ones that brought the latest TSval and TSecr (later mod 2^32);</li>
 *         <li>anchors: walking the segments placed in the client's stream from the CONNECT on
 *             (stream offset 0, acknowledgement 0, the CONNECT's TSval), whenever the next
 *             segment lies 2^30 or more from the last one kept, in stream offset, in
 *             acknowledgement (rule 2's reading) or in a timestamp (mod 2^32), the segment just
 *             before it is kept too (if it was not).</li>
 *       </ol>
 *       These stay until the next applied checkpoint, even if the connection finishes or is
 *       superseded in between: its records after C may read client bytes they carry. Why these:
 *       the application's state in the checkpoint holds the effect of every byte below R, so a
 *       catch-up re-bases the client's stream at R; what it rebuilds from the segments (bytes
 *       from R on, segments beyond a hole, the FIN, the reset, the client's acknowledgement,
 *       window and timestamps) must be what a replay of every segment rebuilds, and the
 *       anchors let it read 32-bit sequence numbers, acknowledgements and timestamps in a
 *       stream with holes: kept segments never lie 2^30 or more apart, so each is read nearest
 *       the one before (negligible: one segment per 2^30 bytes each way).</li>
 *   <li><b>C4. From C on</b> every record is kept (C itself included), finished connections' too:
 *       their effects on the shared state happened after the checkpoint.</li>
 * </ul>
 * So a snapshot holds, below the latest applied checkpoint, only CONNECT, SEGMENT and HEARTBEAT
 * records (none the application consumes): the checkpoint is the first record a catch-up's
 * application consumes, which is how the replay knows to start from it.
 * {@code oldestRetainedLsn()} is the oldest kept record's LSN (0 if none). Why SEGMENT
 * records stay rather than the client's unread bytes going into the checkpoint: the primary's
 * north-side wrapper does not see them (they sit in its stack), and besides the bytes, the
 * replay rebuilds from them what takeover restores (the client's acknowledgement, window and
 * timestamps, segments beyond a hole, its FIN and reset) exactly as a replay of everything does.
 * The rules read a segment's length, sequence and acknowledgement numbers, flags and
 * timestamps, never its payload bytes (the logger feeds blank payloads of the real length).
 *
 * <h2>Limits</h2>
 * <ul>
 *   <li>CHECKPOINTED: below the latest applied checkpoint a live connection keeps what its
 *       client sent and the application has not read, and a few segments besides (rule C3),
 *       however long it lives; finished connections and the application's earlier
 *       determinants keep nothing. A connection not accepted yet keeps all its segments.
 *       Connections finished before C are not restored in TIME-WAIT by a catch-up (as an
 *       evicted lingering one, rule 3). Records grow between checkpoints as under EVERYTHING:
 *       the application's checkpoint frequency bounds them. The anchors assume, as the
 *       backup's replay does, that a client's segments lie within 2^30 of where its stream
 *       stands (any TCP window does): garbage far outside it, kept below a checkpoint, may be
 *       placed differently by a catch-up than by a replay of everything.</li>
 *   <li>A connection that lives long pins every global record made since its CONNECT (and the
 *       log below it), as rule 5 says; so does a lingering one until it is evicted, which on a
 *       server that finishes few connections may take long (eviction follows new finished
 *       connections, not time).</li>
 *   <li>A connection that ends without the client's RST or FIN-and-ACK in the stream (the
 *       primary's stack gave up on a vanished client, or dropped a reset connection from its
 *       accept queue before the application accepted and closed it) is never finished: the
 *       stream carries no record saying so. The backup's replay keeps such connections as
 *       well.</li>
 *   <li>Under rule 5 a process catching up gets the global CLOCK and SEED values logged since
 *       the oldest live CONNECT, not those its own start-up would have read: values read outside
 *       any connection are not meant to matter to connection-scoped applications.</li>
 *   <li>A retained READY's listener entry may be the readiness that led the primary's
 *       application to accept a connection since finished, whose ACCEPT is gone. An application
 *       that polls its listener and accepts once per readiness would then, catching up, take the
 *       next ACCEPT early, or wait for one; an accept loop that runs until accept() returns
 *       nothing stays in step (the ACCEPT of nothing is kept). The applications of this project
 *       accept in a blocking loop, without polling the listener.</li>
 * </ul>
 */
package io.fttcp.replication.retention;
