package io.fttcp.roles.logger;

import io.fttcp.replication.log.LogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.fttcp.roles.logger.LoggerTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/** The highest epoch granted, kept beside a cluster's log: read back exactly, and a damaged file is an error, never 0. */
class EpochFileTest {
    @TempDir
    Path dir;

    @Test
    void noFileIsEpochZeroAndWritesReadBack() throws IOException {
        EpochFile file = new EpochFile(dir);
        assertEquals(0, file.read());
        for (long epoch : new long[]{1, 2, 7, 1L << 40, Long.MAX_VALUE, 3}) {
            file.write(epoch);
            assertEquals(epoch, file.read());
            assertEquals(epoch, new EpochFile(dir).read());
        }
        assertEquals(List.of(dir.resolve("EPOCH")), Files.list(dir).toList(), "no temporary file left");
    }

    /** A negative number is never stored: read would refuse it, and the logger would not start again. */
    @Test
    void aNegativeEpochIsNeverWritten() throws IOException {
        EpochFile file = new EpochFile(dir);
        file.write(5);
        for (long epoch : new long[]{-1, Long.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> file.write(epoch));
            assertTrue(e.getMessage().contains(Long.toString(epoch)) && e.getMessage().contains("negative"), e.getMessage());
            assertEquals(5, new EpochFile(dir).read());
        }
    }

    @Test
    void aTemporaryFileLeftByACrashChangesNothing() throws IOException {
        EpochFile file = new EpochFile(dir);
        file.write(4);
        Files.writeString(dir.resolve("EPOCH.tmp"), "9"); // the crash came before the rename
        assertEquals(4, file.read());
        file.write(5);
        assertEquals(5, file.read());
    }

    @Test
    void surroundingWhitespaceIsAccepted() throws IOException {
        Files.writeString(dir.resolve("EPOCH"), "  12 \n\n");
        assertEquals(12, new EpochFile(dir).read());
    }

    @Test
    void aDamagedFileIsAClearErrorNeverZero() throws IOException {
        for (String damaged : List.of("", "\n", "abc", "-3", "12x", "1 2", "0x10", "99999999999999999999", "\u0000\u0000\u0000")) {
            Files.writeString(dir.resolve("EPOCH"), damaged, StandardCharsets.ISO_8859_1);
            IOException e = assertThrows(IOException.class, () -> new EpochFile(dir).read(), "'" + damaged + "'");
            assertTrue(e.getMessage().contains(dir.resolve("EPOCH").toString()) && e.getMessage().contains("does not hold an epoch"),
                    e.getMessage());
        }
        Files.write(dir.resolve("EPOCH"), new byte[]{(byte) 0xff, (byte) 0xfe, '7'});
        assertThrows(IOException.class, () -> new EpochFile(dir).read(), "bytes that are not ASCII");
    }

    /** The logger refuses to start on a cluster whose epoch it cannot read: serving it with epoch 0 would let a superseded primary back in. */
    @Test
    void theLoggerDoesNotStartOnADamagedEpoch() throws Exception {
        Path cluster = dir.resolve("alpha");
        Files.createDirectories(cluster);
        new EpochFile(cluster).write(6);
        Files.writeString(cluster.resolve("EPOCH"), "6?");
        InetSocketAddress at = freeLoopbackPort();
        IOException e = assertThrows(IOException.class, () -> LoggerHost.start(config(dir, at, LogConfig.defaults())));
        assertTrue(e.getMessage().contains(cluster.resolve("EPOCH").toString()), e.getMessage());
        IOException again = assertThrows(IOException.class, () -> LoggerHost.start(config(dir, at, LogConfig.defaults())));
        assertEquals(e.getMessage(), again.getMessage(), "the log was let go: the same error, not 'already open'");
        new EpochFile(cluster).write(6); // repaired
        try (LoggerHost host = LoggerHost.start(config(dir, at, LogConfig.defaults()))) {
            Events stale = new Events();
            try (var p = dial(at, "alpha", 5, channel("alpha").newRecordStream(), stale)) {
                assertTrue(stale.closed.get(5, java.util.concurrent.TimeUnit.SECONDS).message().contains("superseded"));
            }
        }
    }
}
