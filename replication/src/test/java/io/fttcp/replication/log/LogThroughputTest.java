package io.fttcp.replication.log;

import io.fttcp.replication.codec.FrameEncoder;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A sanity figure, printed and not asserted (shared machines make times noise): append
 * throughput with NEVER and BATCH for 1 KiB and 64 KiB records, committing after every 64 KiB
 * appended (as a logger does after each socket read), and the cursor's read-back throughput.
 */
class LogThroughputTest {
    private static final long VOLUME = 16L << 20;
    private static final int BURST = 64 * 1024;

    @TempDir
    Path tmp;

    @Test
    void appendThroughputIsPrinted() throws IOException {
        StringBuilder out = new StringBuilder("log throughput (" + (VOLUME >> 20) + " MiB per run):");
        for (FsyncPolicy policy : new FsyncPolicy[] {FsyncPolicy.NEVER, FsyncPolicy.BATCH}) {
            for (int size : new int[] {1024, 64 * 1024}) {
                out.append("\n  ").append(run(policy, size, false));
            }
        }
        for (int size : new int[] {1024, 64 * 1024}) {
            out.append("\n  ").append(run(FsyncPolicy.BATCH, size, true));
        }
        System.out.println(out);
    }

    private String run(FsyncPolicy policy, int payload, boolean background) throws IOException {
        Record record = new Segment(new FourTuple(0x0a000001, 80, 0x0a000002, 40000), 1, 2, 0x18, 65535, 0, 0, new byte[payload]);
        long frame = FrameEncoder.frameLength(record);
        long count = VOLUME / frame;
        Path dir = tmp.resolve(policy + "-" + payload + "-" + background);
        long appendNanos;
        long forces;
        RecordLog log = background ? RecordLog.open(dir, LogConfig.defaults().withFsyncPolicy(policy), () -> { })
                : RecordLog.open(dir, LogConfig.defaults().withFsyncPolicy(policy));
        try (log) {
            long start = System.nanoTime();
            long sinceCommit = 0;
            for (long i = 0; i < count; i++) {
                log.append(record, System.nanoTime());
                sinceCommit += frame;
                if (sinceCommit >= BURST) {
                    log.commit(System.nanoTime());
                    sinceCommit = 0;
                }
            }
            log.commit(System.nanoTime());
            if (policy == FsyncPolicy.BATCH) {
                log.sync(System.nanoTime()); // the last window's force: what an acknowledgement of the last record waits for
            }
            log.close(); // waits for a background force
            appendNanos = System.nanoTime() - start;
            forces = log.forces();
            assertEquals(count, log.durableLsn(), policy + " " + payload);
        }
        long readNanos;
        try (RecordLog reopened = RecordLog.open(dir, LogConfig.defaults().withFsyncPolicy(policy));
             LogCursor cursor = reopened.read(1)) {
            long start = System.nanoTime();
            long read = 0;
            while (cursor.next()) {
                read++;
            }
            readNanos = System.nanoTime() - start;
            assertEquals(count, read, policy + " " + payload);
        }
        double mib = count * frame / (double) (1 << 20);
        return String.format(Locale.ROOT, "%-5s %-10s %5d-byte records: append %7.1f MiB/s (%d forces), read back %7.1f MiB/s",
                policy, background ? "background" : "inline", payload, mib / (appendNanos / 1e9), forces, mib / (readNanos / 1e9));
    }
}
