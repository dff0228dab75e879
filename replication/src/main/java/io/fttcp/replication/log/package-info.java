/**
 * The logger's storage: a durable, segmented, append-only log of one primary's records
 * ({@link io.fttcp.replication.log.RecordLog}), one directory per primary.
 *
 * <h2>On disk</h2>
 * A log directory holds segment files and a {@code LOCK} file (held while a process has the
 * log open). A segment is named by the LSN of its first record in 20 digits,
 * {@code 00000000000000000001.seg}, and is a plain sequence of replication frames, byte for
 * byte what {@link io.fttcp.replication.codec.FrameEncoder} sends on the wire:
 * {@code [magic u16][version u8][kind u8][body length u32][LSN u64][body][CRC32C u32]}, one
 * record each, the CRC32C covering every byte of the frame before it. LSNs run on by one
 * within a segment and from each segment to the next. A segment is rolled when the next record
 * would take it past {@link io.fttcp.replication.log.LogConfig#segmentBytes()} (64 MiB by
 * default); a record larger than that gets a segment of its own.
 *
 * <h2>Guarantees</h2>
 * <ul>
 * <li>A record at or below {@link io.fttcp.replication.log.RecordLog#durableLsn()} is stored as
 *     the fsync policy says, and so are all records before it: that is what the logger may
 *     acknowledge.</li>
 * <li>Opening a log recovers exactly a prefix of what was appended: every frame is checked
 *     (CRC32C, structure) and LSNs must run on without a gap or a duplicate. A torn tail of the
 *     last segment (a partial frame, a bad frame, zeros or garbage after the last good frame,
 *     with no valid later record after it) is cut, forced, and reported in a
 *     {@link io.fttcp.replication.log.RecoveryReport}. Anything else (a bad frame followed by a
 *     valid later record, a bad frame in an earlier segment, an LSN gap or duplicate, an empty
 *     segment before the last) stops recovery with a
 *     {@link io.fttcp.replication.log.CorruptLogException} naming the file and byte offset;
 *     nothing is ever skipped. Since the cut tail was never forced under ALWAYS or BATCH, no
 *     acknowledged record is lost by cutting it. A log whose only segment holds no record (a
 *     crash between its creation and its first write, at the LSN its first record was to have)
 *     has that segment removed: it holds nothing, as a fresh log (next LSN 1, last LSN 0), and
 *     not "everything up to that LSN - 1".</li>
 * <li>A segment is written whole and (unless NEVER) forced before the next segment is
 *     created, and a new segment's directory entry is forced before its records count as
 *     durable, so a crash can tear only the last segment.</li>
 * <li>{@link io.fttcp.replication.log.RecordLog#read(long)} replays records in LSN order across
 *     segments; {@link io.fttcp.replication.log.RecordLog#truncateBefore(long)} deletes whole
 *     segments below an LSN, oldest first.</li>
 * </ul>
 * Limits: a power loss in the middle of a multi-page write that was never forced can in
 * principle leave a hole with later pages intact; recovery reports that as damage in the
 * middle (it cannot tell it from decay) and leaves the decision to an operator. Under NEVER a
 * host crash can tear any segment, not only the last.
 *
 * <h2>Fsync policies and group commit</h2>
 * Appends are encoded straight into one append buffer (no allocation per record); the owner
 * calls {@link io.fttcp.replication.log.RecordLog#commit(long)} after each burst of appends (and
 * when {@link io.fttcp.replication.log.RecordLog#commitDeadline()} passes). The decisions are
 * made by a sans-I/O state machine fed the time; the file I/O (FileChannel) is at the edge.
 * <ul>
 * <li>{@code ALWAYS}: a commit writes and forces (fdatasync) everything appended; a record is
 *     durable only once forced. All records of a burst share one force.</li>
 * <li>{@code BATCH} (default): a commit writes at once (so a crash of the logger process alone
 *     loses nothing) and forces if the last force is at least the batch window old (2 ms by
 *     default, see {@link io.fttcp.replication.log.LogConfig}); otherwise the force waits for
 *     the window's end. A full append buffer (1 MiB) or a segment roll asks for a force at once.
 *     A record is durable once forced.</li>
 * <li>{@code NEVER}: a commit writes; nothing is ever forced (the OS decides). A record is
 *     durable once written: it survives the logger process, not the host.</li>
 * </ul>
 * Forces run inline (in the owner's call, deterministic: what the tests use) or, opened with
 * {@link io.fttcp.replication.log.RecordLog#open(java.nio.file.Path, LogConfig, Runnable)}, on a
 * thread of the log's own, so that the owner goes on appending and writing while the disk works;
 * forces asked for meanwhile are done as one. The owner is woken when a force completes and
 * picks it up in its next call. On a shared VM disk (fsync about 2 to 7 ms) that is the
 * difference between about 80 and 600 to 900 MiB/s of BATCH appends ({@code LogThroughputTest}).
 */
package io.fttcp.replication.log;
