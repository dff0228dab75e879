package io.fttcp.replication.stream;

import io.fttcp.replication.CollectingHandler;
import io.fttcp.replication.Seeds;
import io.fttcp.replication.codec.FrameDecoder;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Seed;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** A catch-up taken from a source as the stream writes it: the same frames as a list's, taken lazily, checked, closed. */
class CatchUpSourceTest {
    /** Counts what was taken and whether it was closed. */
    private static final class Counting implements CatchUpSource {
        private final Iterator<LoggedRecord> records;
        int taken;
        int closed;

        Counting(List<LoggedRecord> records) {
            this.records = records.iterator();
        }

        @Override
        public LoggedRecord next() {
            if (!records.hasNext()) return null;
            taken++;
            return records.next();
        }

        @Override
        public void close() {
            closed++;
        }
    }

    private static List<LoggedRecord> retained(SplittableRandom random, long stable) {
        List<LoggedRecord> out = new ArrayList<>();
        for (long lsn = 1; lsn <= stable; lsn++) if (random.nextInt(3) == 0) out.add(new LoggedRecord(lsn, new Seed(random.nextLong())));
        return out;
    }

    private static RecordStream stableThrough(long stable) {
        RecordStream s = new RecordStream();
        s.resetTo(stable);
        return s;
    }

    private static CollectingHandler writeAll(RecordStream stream, ByteBuffer wire) throws Exception {
        CollectingHandler got = new CollectingHandler();
        while (stream.writeBatch(wire) > 0) {
            wire.flip();
            new FrameDecoder().decodeAll(wire, got);
            wire.clear();
        }
        return got;
    }

    @Test
    void theFramesAreALists() throws Exception {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        long stable = 1 + random.nextInt(5000);
        List<LoggedRecord> retained = retained(random, stable);
        RecordStream fromList = stableThrough(stable);
        fromList.restartWithCatchUp(retained);
        fromList.append(new Seed(-1));
        RecordStream fromSource = stableThrough(stable);
        Counting source = new Counting(retained);
        fromSource.restartWithCatchUp(source);
        fromSource.append(new Seed(-1));
        assertEquals(0, source.taken, "nothing taken before it is written");
        ByteBuffer wire = ByteBuffer.allocate(1 << 20);
        CollectingHandler expected = writeAll(fromList, wire);
        CollectingHandler actual = writeAll(fromSource, wire);
        assertEquals(expected.lsns, actual.lsns, "seed " + seed);
        assertEquals(expected.records, actual.records, "seed " + seed);
        assertEquals(1, source.closed, "closed once it had no more, seed " + seed);
        assertFalse(fromSource.catchingUp());
    }

    @Test
    void recordsAreTakenOnlyAsTheyAreWrittenAndARewindClosesTheSource() {
        List<LoggedRecord> retained = new ArrayList<>();
        for (long lsn = 1; lsn <= 3000; lsn++) retained.add(new LoggedRecord(lsn, new Seed(lsn)));
        RecordStream stream = stableThrough(3000);
        Counting source = new Counting(retained);
        stream.restartWithCatchUp(source);
        assertEquals(RecordStream.DEFAULT_MAX_BATCH_RECORDS, stream.writeBatch(ByteBuffer.allocate(1 << 20)));
        assertEquals(RecordStream.DEFAULT_MAX_BATCH_RECORDS, source.taken, "one batch taken");
        assertTrue(stream.catchingUp());
        stream.restartWithCatchUp(List.of()); // a new connection
        assertEquals(1, source.closed);
        assertEquals(RecordStream.DEFAULT_MAX_BATCH_RECORDS, source.taken);
    }

    @Test
    void aRecordOutOfOrderOrPastTheStableLsnFailsTheWrite() {
        RecordStream stream = stableThrough(10);
        stream.restartWithCatchUp(new Counting(List.of(new LoggedRecord(5, new Seed(5)), new LoggedRecord(4, new Seed(4)))));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> stream.writeBatch(ByteBuffer.allocate(4096)));
        assertTrue(e.getMessage().contains("LSN 4 after 5"), e.getMessage());
        RecordStream past = stableThrough(10);
        past.restartWithCatchUp(new Counting(List.of(new LoggedRecord(11, new Seed(11)))));
        assertThrows(IllegalStateException.class, () -> past.writeBatch(ByteBuffer.allocate(4096)));
    }
}
