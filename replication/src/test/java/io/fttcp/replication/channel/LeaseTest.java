package io.fttcp.replication.channel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class LeaseTest {
    private static final long MS = 1_000_000;

    @Test
    void startsExpiredAndRunsFromTheEchoedSendTime() {
        Lease lease = new Lease(100 * MS);
        assertFalse(lease.valid(0));
        assertTrue(lease.renew(10 * MS, 30 * MS)); // heartbeat sent at 10, echo arrived at 30
        assertTrue(lease.valid(30 * MS));
        assertTrue(lease.valid(109 * MS));
        assertFalse(lease.valid(110 * MS), "runs from the send time, not from the echo's arrival");
        assertEquals(79 * MS, lease.remainingNanos(31 * MS));
        assertEquals(0, lease.remainingNanos(200 * MS));
    }

    @Test
    void olderEchoesDoNotShortenIt() {
        Lease lease = new Lease(100 * MS);
        assertTrue(lease.renew(50 * MS, 60 * MS));
        assertFalse(lease.renew(20 * MS, 70 * MS));
        assertEquals(150 * MS, lease.expiresAt());
    }

    @Test
    void noEchoAndFutureEchoesAreIgnored() {
        Lease lease = new Lease(100 * MS);
        assertFalse(lease.renew(Lease.NO_ECHO, 10 * MS));
        assertFalse(lease.renew(20 * MS, 10 * MS), "a time the primary has not reached yet");
        assertFalse(lease.valid(10 * MS));
    }

    @Test
    void theRuleMakesTheLeaseExpireBeforeTheBackupSuspects() {
        // The backup hears the heartbeat sent at s no earlier than s; it suspects at s + timeout at the
        // earliest; the lease ends at s + lease. With lease + margin <= timeout the primary is silent first.
        ChannelConfig config = ChannelConfig.defaults("c");
        long s = 5 * MS;
        Lease lease = new Lease(config.leaseNanos());
        lease.renew(s, s);
        FailureDetector atBackup = new FailureDetector(config.detectionTimeoutNanos(), s);
        long firstSuspicion = atBackup.deadline();
        assertFalse(lease.valid(firstSuspicion - config.leaseMarginNanos()));
    }
}
