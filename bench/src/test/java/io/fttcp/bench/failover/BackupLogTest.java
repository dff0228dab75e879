package io.fttcp.bench.failover;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BackupLogTest {

    @Test
    void summarizesTheLossAndTheTakeover() {
        String output = """
                16:45:27.291 WARN ReplicationChannel - replication channel to /198.18.0.1:7400 lost: PEER_SILENT: heard nothing from /198.18.0.1:7400 for 152 ms (timeout 150 ms)
                16:45:27.300 INFO fttcp.backup: took over 198.18.0.100 5663 us after losing the primary: restored 1 connection(s); now serving UNPROTECTED
                """;
        assertEquals("backup: PEER_SILENT after 152 ms, took over in 5.7 ms", BackupLog.summary(output));
    }

    @Test
    void showsTheTakeoverSequenceAndItsSteps() {
        String output = """
                16:45:27.291 WARN ReplicationChannel - replication channel to /198.18.0.1:7400 lost: PEER_SILENT: heard nothing from /198.18.0.1:7400 for 150 ms (timeout 150 ms)
                16:45:27.340 INFO fttcp.backup: took over 198.18.0.100 49012 us after losing the primary (began after 2900 us): restored 1 connection(s); \
                drain 14200 us, lock 3100 us, restore 6800 us, announce 2400 us, resume 300 us, total 27300 us; now the primary, epoch 2
                """;
        assertEquals("backup: PEER_SILENT after 150 ms, took over in 49.0 ms (began 2.9 ms after the loss; the takeover sequence 27.3 ms: "
                + "drain 14.2, lock 3.1, restore 6.8, announce 2.4, clients resume at its end)", BackupLog.summary(output));
    }

    @Test
    void theTimesOfTheLossAndTheTakeoverAreTodaysInThisZone() {
        String output = """
                16:45:27.291 WARN ReplicationChannel - replication channel to /198.18.0.1:7400 lost: PEER_CLOSED: peer closed the connection
                16:45:27.330 INFO fttcp.backup: took over 198.18.0.100 5663 us after losing the primary: restored 1 connection(s)
                """;
        long lost = BackupLog.lostAt(output).orElseThrow();
        long took = BackupLog.tookOverAt(output).orElseThrow();
        assertEquals(39, took - lost);
        assertEquals(5663, BackupLog.takeoverMicros(output).orElseThrow());
        java.time.ZonedDateTime at = java.time.Instant.ofEpochMilli(lost).atZone(java.time.ZoneId.systemDefault());
        assertEquals(java.time.LocalTime.of(16, 45, 27, 291_000_000), at.toLocalTime());
        assertEquals(java.time.LocalDate.now(), at.toLocalDate());
        org.junit.jupiter.api.Assertions.assertTrue(BackupLog.lostAt("no times here").isEmpty());
    }

    @Test
    void aLossWithoutSilenceAndMissingLinesAreSaidSo() {
        assertEquals("backup: PEER_CLOSED", BackupLog.summary("replication channel to /198.18.0.1:7400 lost: PEER_CLOSED: end of stream"));
        assertEquals("backup: loss not logged", BackupLog.summary("garbage"));
    }
}
