package io.fttcp.roles.logger;

import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The incomplete mark of a log generation: durable, merged by later break-offs, and a damaged file is a clear error. */
class IncompleteMarkTest {
    @TempDir
    Path dir;

    private static RosterEntry entry(int port, int clientIsn, int serverIsn) {
        return new RosterEntry(new FourTuple(0xC612_0064, 80, 0xC612_000A, port), clientIsn, serverIsn);
    }

    @Test
    void aMarkReadsBackAsWrittenAndMergesLaterOnes() throws IOException {
        assertNull(IncompleteMark.read(dir), "no mark");
        IncompleteMark mark = new IncompleteMark(40, List.of(entry(40_001, 1, 2), entry(65_535, -1, Integer.MIN_VALUE)));
        mark.write(dir);
        assertEquals(mark, IncompleteMark.read(dir));
        IncompleteMark merged = mark.merge(70, List.of(entry(40_001, 5, 6), entry(40_003, 7, 8)));
        assertEquals(new IncompleteMark(70, List.of(entry(65_535, -1, Integer.MIN_VALUE), entry(40_001, 5, 6), entry(40_003, 7, 8))), merged);
        assertEquals(40, mark.merge(10, List.of()).throughLsn(), "through the later of the two LSNs");
    }

    @Test
    void aDamagedMarkIsAClearErrorNeverIgnored() throws IOException {
        new IncompleteMark(40, List.of(entry(40_001, 1, 2))).write(dir);
        Path file = dir.resolve(IncompleteMark.FILE);
        byte[] good = Files.readAllBytes(file);
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            Files.write(file, bad);
            IOException e = assertThrows(IOException.class, () -> IncompleteMark.read(dir), "byte " + i + " flipped");
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("damaged"), e.getMessage());
        }
        for (int n = 0; n < good.length; n++) {
            Files.write(file, java.util.Arrays.copyOf(good, n));
            assertThrows(IOException.class, () -> IncompleteMark.read(dir), "cut to " + n + " bytes");
        }
    }
}
