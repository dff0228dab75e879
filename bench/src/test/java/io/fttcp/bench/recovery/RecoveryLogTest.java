package io.fttcp.bench.recovery;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecoveryLogTest {
    private static final String OUTPUT = """
            19:29:31.503 INFO ReplicationChannel - replication channel to /198.18.0.1:7500 connected: Handshake[...]
            19:29:31.549 INFO fttcp.backup: fetching the live connections' records from the logger (epoch 2)
            19:29:31.580 WARNING fttcp.backup: fetched 4733 record(s) (16777216 client bytes) through LSN 4800 from the logger in 440312 us: TAKING OVER
            19:29:31.736 INFO fttcp.backup: took over 198.18.0.100 146930 us after losing the primary (began after 101254 us): restored 1 connection(s); ...
            fttcp standby: TOOK OVER 198.18.0.100: restored 1 connection(s); drain 90 us, lock 4 us, restore 7906 us, announce 1288 us, resume 15 us, total 15702 us
            """;

    @Test
    void readsTheFetchAndTheTakeover() {
        RecoveryLog log = RecoveryLog.parse(OUTPUT).orElseThrow();
        assertEquals(4733, log.records());
        assertEquals(16_777_216, log.clientBytes());
        assertEquals(440_312, log.fetchMicros());
        assertEquals(-1, log.firstRecordsMicros(), "not said");
        assertEquals(1, log.restored());
        assertEquals("", log.refused());
        assertEquals(90, log.drainMicros());
        assertEquals(15_702, log.totalMicros());
        assertEquals(440_402, log.replayMicros());
    }

    @Test
    void readsWhenTheFirstRecordsCame() {
        RecoveryLog log = RecoveryLog.parse(OUTPUT.replace("in 440312 us: TAKING", "in 440312 us (the first after 1234 us): TAKING")).orElseThrow();
        assertEquals(440_312, log.fetchMicros());
        assertEquals(1_234, log.firstRecordsMicros());
        assertEquals(-1, log.largestLagBytes(), "not said");
    }

    @Test
    void readsTheLargestReplayLag() {
        RecoveryLog log = RecoveryLog.parse(OUTPUT.replace("in 440312 us: TAKING", "in 440312 us (the first after 1234 us), replay lag at most 33554432 bytes: TAKING"))
                .orElseThrow();
        assertEquals(1_234, log.firstRecordsMicros());
        assertEquals(33_554_432, log.largestLagBytes());
    }

    @Test
    void readsRefusedConnections() {
        String refused = OUTPUT.replace("restored 1 connection(s); drain", "restored 1 connection(s), refused {198.18.0.10:40000=no SYN logged}; drain");
        RecoveryLog log = RecoveryLog.parse(refused).orElseThrow();
        assertEquals("{198.18.0.10:40000=no SYN logged}", log.refused());
        assertEquals(90, log.drainMicros());
    }

    @Test
    void withoutEitherLineThereIsNothing() {
        assertTrue(RecoveryLog.parse(OUTPUT.lines().filter(l -> !l.contains("TAKING OVER")).reduce("", (a, b) -> a + b + "\n")).isEmpty());
        assertTrue(RecoveryLog.parse(OUTPUT.lines().filter(l -> !l.contains("TOOK OVER")).reduce("", (a, b) -> a + b + "\n")).isEmpty());
        assertTrue(RecoveryLog.parse("").isEmpty());
    }

    @Test
    void theBreakdownAddsUpToTheKillToFirstByteTime() {
        RecoveryLog log = RecoveryLog.parse(OUTPUT).orElseThrow();
        long wallMinusMonotonicMillis = System.currentTimeMillis() - System.nanoTime() / 1_000_000;
        long served = java.time.LocalTime.parse("19:29:31.549").atDate(java.time.LocalDate.now())
                .atZone(java.time.ZoneId.systemDefault()).toInstant().toEpochMilli();
        long killedAt = (served - 100 - wallMinusMonotonicMillis) * 1_000_000;
        long firstByte = killedAt + 500_000_000L;
        RecoveryBreakdown b = RecoveryBreakdown.of(OUTPUT, log, killedAt, firstByte).orElseThrow();
        assertEquals(100, b.servedMillis(), 2);
        assertEquals(440.312, b.fetchMillis(), 0.001);
        assertEquals(500, b.servedMillis() + b.fetchMillis() + b.takeoverMillis() + b.restMillis(), 2);
    }
}
