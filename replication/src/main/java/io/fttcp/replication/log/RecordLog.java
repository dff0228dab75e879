package io.fttcp.replication.log;

import io.fttcp.replication.codec.FrameEncoder;
import io.fttcp.replication.record.Record;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The durable, segmented, append-only log of one primary's records (format and guarantees in
 * the package documentation).
 *
 * <p>Use: {@link #open} (recovers, or creates), then {@link #append} records as they arrive and
 * {@link #commit} after each burst (and whenever {@link #commitDeadline()} passes); acknowledge
 * up to {@link #durableLsn()}, or from a {@link DurabilityListener}. Time is passed in as
 * {@code now}, nanoseconds of a monotonic clock ({@link System#nanoTime()} in production).
 *
 * <p>Forces run inline, in the call that asks for one, or (see {@link #open(Path, LogConfig, Runnable)})
 * on a thread of the log's own while the owner goes on.
 *
 * <p>Not thread-safe: one owner serializes calls (the logger's loop for this primary);
 * {@link #durableLsn()} alone may be read from any thread. Listeners run inside the call that
 * advanced the durable LSN. After an I/O error the log refuses every further write (what a
 * failed fsync left on disk is unknown): close it and open it again to recover.
 */
public final class RecordLog implements AutoCloseable {
    private static final String LOCK_FILE = "LOCK";

    private final Path dir;
    private final LogConfig config;
    private final FrameEncoder encoder;
    private final GroupCommit commit;
    private final ByteBuffer buffer;
    private final List<LogSegment> segments;
    private final List<DurabilityListener> listeners = new ArrayList<>();
    private final RecoveryReport recovery;
    private final FileChannel lockChannel;
    private final SegmentForcer forcer;
    private FileChannel active;
    private long activeLength;
    private long activeRecords;
    private long firstLsn;
    private long nextLsn;
    private boolean directoryUnforced;
    private volatile long durableLsn;
    private long bytesWritten;
    private IOException failure;
    private boolean closed;

    private RecordLog(Path dir, LogConfig config, FileChannel lockChannel, LogRecovery.Recovered recovered, Runnable forceCompleted) {
        this.dir = dir;
        this.forcer = forceCompleted == null ? SegmentForcer.inline()
                : SegmentForcer.background("fttcp-log-force " + dir.getFileName(), forceCompleted);
        this.config = config;
        this.lockChannel = lockChannel;
        this.encoder = new FrameEncoder(config.maxBodyLength());
        this.buffer = ByteBuffer.allocateDirect(config.bufferCapacity());
        this.segments = new ArrayList<>(recovered.segments());
        this.recovery = recovered.report();
        this.firstLsn = recovered.firstLsn();
        this.nextLsn = recovered.nextLsn();
        this.activeLength = recovered.lastSegmentLength();
        this.activeRecords = recovered.lastSegmentRecords();
        this.commit = new GroupCommit(config.fsyncPolicy(), config.batchWindowNanos(), nextLsn - 1);
        this.durableLsn = nextLsn - 1;
    }

    /**
     * Opens the log in {@code dir}, creating the directory if needed, recovering what is there:
     * a torn tail is cut (see {@link #recoveryReport()}), anything else wrong is refused.
     *
     * @throws CorruptLogException the log is damaged other than at its tail (names file and offset)
     * @throws IOException         the directory is in use by another log, or cannot be read or written
     */
    public static RecordLog open(Path dir, LogConfig config) throws IOException {
        return open(dir, config, null);
    }

    /**
     * Opens the log like {@link #open(Path, LogConfig)}, but forces on a thread of the log's own,
     * so that appends go on while the disk works (forces asked for while one runs are done
     * together). The durable LSN then advances in the owner's next call after a force completes:
     * {@code forceCompleted} runs on the log's thread after each force, to wake the owner so
     * that it calls {@link #commit} (it must be quick and must not call the log).
     */
    public static RecordLog open(Path dir, LogConfig config, Runnable forceCompleted) throws IOException {
        Files.createDirectories(dir);
        FileChannel lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        RecordLog log = null;
        try {
            FileLock lock = lockChannel.tryLock();
            if (lock == null) {
                throw new IOException("log " + dir + " is open in another process");
            }
            log = new RecordLog(dir, config, lockChannel, LogRecovery.recover(dir, config), forceCompleted);
            log.openActiveAfterRecovery();
            return log;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lockChannel.close();
            throw new IOException("log " + dir + " is already open in this process", e);
        } catch (IOException | RuntimeException e) {
            if (log != null) {
                log.closeFiles();
            } else {
                lockChannel.close();
            }
            throw e;
        }
    }

    private void openActiveAfterRecovery() throws IOException {
        if (segments.isEmpty()) {
            return;
        }
        active = FileChannel.open(segments.getLast().file(), StandardOpenOption.WRITE);
        if (config.fsyncPolicy() != FsyncPolicy.NEVER) {
            // What recovery read may have been only in the OS's cache: make it as durable as what we acknowledge.
            active.force(false);
            SegmentForcer.forceDirectory(dir);
        }
    }

    /** What opening found: records kept, and the torn tail cut, if any. */
    public RecoveryReport recoveryReport() {
        return recovery;
    }

    /**
     * Appends a record with the next LSN.
     *
     * @return its LSN
     */
    public long append(Record record, long now) throws IOException {
        long lsn = nextLsn;
        append(lsn, record, now);
        return lsn;
    }

    /**
     * Appends a record with LSN {@code lsn}, which must be {@link #nextLsn()}, except in a log
     * that holds no record yet, where it sets where the log starts. The record is durable once
     * {@link #durableLsn()} reaches {@code lsn}, after some {@link #commit} (or a full buffer).
     *
     * @throws IllegalArgumentException the LSN is not the next one, or the record cannot be framed
     */
    public void append(long lsn, Record record, long now) throws IOException {
        checkUsable();
        encoder.checkEncodable(record); // before an empty log moves its start: a refused record leaves it as it was
        if (lsn != nextLsn) {
            if (!isEmpty() || lsn < 1) {
                throw new IllegalArgumentException("LSN " + lsn + " appended where " + nextLsn + " is next in log " + dir);
            }
            startAt(lsn);
        }
        long frameLength = FrameEncoder.frameLength(record);
        try {
            if (active == null) {
                startSegment(lsn);
            } else if (activeRecords > 0 && activeLength + buffer.position() + frameLength > config.segmentBytes()) {
                roll(now);
                startSegment(lsn);
            }
            if (buffer.remaining() < frameLength) {
                perform(commit.onBufferFull(), now);
            }
        } catch (IOException e) {
            throw fail(e);
        }
        if (!encoder.encode(lsn, record, buffer)) {
            throw new IllegalStateException("append buffer cannot hold a " + frameLength + "-byte frame");
        }
        activeRecords++;
        nextLsn = lsn + 1;
        commit.appended(lsn);
    }

    /**
     * The caller has appended what it had for now (or {@link #commitDeadline()} passed): writes
     * and forces as the fsync policy says, and tells listeners if the durable LSN advanced.
     */
    public void commit(long now) throws IOException {
        checkUsable();
        collect();
        perform(commit.onCommit(now), now);
    }

    /**
     * When {@link #commit} must next be called for appended records to become durable: a
     * {@code now} value, {@link Long#MIN_VALUE} for at once, {@link Long#MAX_VALUE} when nothing
     * is pending.
     */
    public long commitDeadline() {
        return commit.deadline();
    }

    /** Writes everything appended and forces it now, whatever the policy (with background forcing: starts the force). */
    public void sync(long now) throws IOException {
        checkUsable();
        perform(GroupCommit.Step.WRITE_AND_FORCE, now);
    }

    /** Highest LSN stored as the fsync policy says: what may be acknowledged. Readable from any thread. */
    public long durableLsn() {
        return durableLsn;
    }

    /** Called, in the thread that made it happen, each time {@link #durableLsn()} advances. */
    public void addDurabilityListener(DurabilityListener listener) {
        listeners.add(listener);
    }

    public void removeDurabilityListener(DurabilityListener listener) {
        listeners.remove(listener);
    }

    /** LSN of the first record kept (or of the next, in an empty log). */
    public long firstLsn() {
        return firstLsn;
    }

    /** LSN of the last record appended (firstLsn - 1 in an empty log). */
    public long lastLsn() {
        return nextLsn - 1;
    }

    public long nextLsn() {
        return nextLsn;
    }

    public boolean isEmpty() {
        return nextLsn == firstLsn;
    }

    public Path directory() {
        return dir;
    }

    public LogConfig config() {
        return config;
    }

    /**
     * The I/O error after which this log refuses every further call (what a failed write or
     * force left on disk is unknown: only opening the log again recovers it), or null.
     */
    public IOException failure() {
        return failure;
    }

    /** Segment files in the log now. */
    public int segmentCount() {
        return segments.size();
    }

    /** Forces (fdatasync) completed since the log was opened. */
    public long forces() {
        return forcer.forces();
    }

    /** Frame bytes written to segment files since the log was opened. */
    public long bytesWritten() {
        return bytesWritten;
    }

    /**
     * Reads the records from {@code fromLsn} to {@link #lastLsn()} as they are now (appended
     * records not yet written are written first, not forced).
     *
     * @throws IllegalArgumentException {@code fromLsn} is before {@link #firstLsn()} (truncated away)
     *                                  or after {@link #nextLsn()}
     */
    public LogCursor read(long fromLsn) throws IOException {
        checkUsable();
        if (fromLsn < firstLsn || fromLsn > nextLsn) {
            throw new IllegalArgumentException("log " + dir + " holds LSN " + firstLsn + " to " + lastLsn()
                    + "; cannot read from " + fromLsn);
        }
        if (buffer.position() > 0) {
            perform(GroupCommit.Step.WRITE, 0);
        }
        int from = segments.size();
        while (from > 0 && segments.get(from - 1).firstLsn() > fromLsn) {
            from--;
        }
        from = Math.max(from - 1, 0);
        return new LogCursor(List.copyOf(segments.subList(from, segments.size())), fromLsn, lastLsn(), config.maxBodyLength());
    }

    /**
     * Deletes, oldest first, whole segments whose records all have LSNs below {@code lsn}. The
     * segment being appended to is never deleted.
     *
     * @return the number of segments deleted
     */
    public int truncateBefore(long lsn) throws IOException {
        checkUsable();
        int deleted = 0;
        // Oldest first: a crash in between leaves a log that still runs on without a gap.
        while (segments.size() > 1 && segments.get(1).firstLsn() <= lsn) {
            try {
                Files.delete(segments.getFirst().file());
            } catch (IOException e) {
                throw fail(e);
            }
            segments.removeFirst();
            firstLsn = segments.getFirst().firstLsn();
            deleted++;
        }
        return deleted;
    }

    /** Writes what is appended, forces it unless the policy is NEVER, and closes the files. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (failure == null && commit.requestedLsn() < commit.appendedLsn()) {
                perform(config.fsyncPolicy() == FsyncPolicy.NEVER ? GroupCommit.Step.WRITE : GroupCommit.Step.WRITE_AND_FORCE, 0);
            }
        } finally {
            closeFiles();
        }
        if (failure == null) {
            collect();
        }
    }

    private void closeFiles() throws IOException {
        closed = true;
        try {
            forcer.close(); // what is queued is forced first
            if (active != null) {
                active.close();
            }
        } finally {
            lockChannel.close(); // releases the lock
        }
    }

    private void startAt(long lsn) throws IOException {
        // An empty log (perhaps an empty segment left by a crash) starts where its first record says.
        try {
            if (active != null) {
                active.close();
                active = null;
                Files.delete(segments.removeLast().file());
            }
        } catch (IOException e) {
            throw fail(e);
        }
        firstLsn = nextLsn = lsn;
        activeLength = 0;
        activeRecords = 0;
        commit.restartAt(lsn - 1);
        durableLsn = lsn - 1;
    }

    private void startSegment(long lsn) throws IOException {
        LogSegment segment = LogSegment.in(dir, lsn);
        active = FileChannel.open(segment.file(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        segments.add(segment);
        activeLength = 0;
        activeRecords = 0;
        directoryUnforced = true;
    }

    private void perform(GroupCommit.Step step, long now) throws IOException {
        if (step == GroupCommit.Step.NOTHING) {
            return;
        }
        writeBuffer();
        // Nothing written since the last force asked for: that force covers it (and an empty log has nothing to force).
        if (step == GroupCommit.Step.WRITE_AND_FORCE && commit.writtenLsn() > commit.requestedLsn()) {
            commit.forceStarted(now);
            forcer.submit(new SegmentForcer.Task(active, true, false, directoryUnforced ? dir : null, commit.writtenLsn()));
            directoryUnforced = false;
        }
        collect();
    }

    private void writeBuffer() throws IOException {
        try {
            buffer.flip();
            while (buffer.hasRemaining()) {
                int n = active.write(buffer, activeLength);
                activeLength += n;
                bytesWritten += n;
            }
            buffer.clear();
        } catch (IOException e) {
            throw fail(e);
        }
        commit.written();
    }

    /**
     * The active segment is full: write it whole and, unless NEVER, force it before the next
     * segment is started, so that a crash can tear only the last segment (a background force is
     * waited for: one per segment). The forcer closes it.
     */
    /** How long a roll waits for the full segment's force (see {@link #roll}). */
    static final long ROLL_FORCE_WAIT_NANOS = 10_000_000_000L;

    private void roll(long now) throws IOException {
        writeBuffer();
        boolean force = commit.forceAtRoll();
        if (force) {
            commit.forceStarted(now);
        }
        forcer.submit(new SegmentForcer.Task(active, force, true, force && directoryUnforced ? dir : null, commit.writtenLsn()));
        if (force) {
            directoryUnforced = false;
        }
        active = null;
        collect();
        if (config.fsyncPolicy() != FsyncPolicy.NEVER && commit.durableLsn() < commit.writtenLsn()) {
            // Asked for now, or by an earlier commit; bounded, as the caller may hold its owner's lock (a logger's cluster).
            if (!forcer.awaitForced(commit.writtenLsn(), ROLL_FORCE_WAIT_NANOS)) {
                throw fail(new IOException("log " + dir + ": a full segment's force took more than " + ROLL_FORCE_WAIT_NANOS / 1_000_000_000
                        + " s (the disk stalls); the next segment is not started unforced"));
            }
            collect();
        }
    }

    /** Takes in the forces completed, telling listeners if the durable LSN advanced. */
    private void collect() throws IOException {
        IOException forceFailure = forcer.failure();
        if (forceFailure != null) {
            throw fail(forceFailure);
        }
        commit.forceCompleted(forcer.completedLsn());
        long durable = commit.durableLsn();
        if (durable > durableLsn) {
            durableLsn = durable;
            for (int i = 0; i < listeners.size(); i++) {
                listeners.get(i).onDurable(durable);
            }
        }
    }

    private IOException fail(IOException e) {
        if (failure == null) {
            failure = e;
        }
        return e;
    }

    private void checkUsable() throws IOException {
        if (closed) {
            throw new IOException("log " + dir + " is closed");
        }
        if (failure != null) {
            throw new IOException("log " + dir + " failed earlier (" + failure + "); close and reopen it to recover", failure);
        }
    }
}
