package io.fttcp.roles.metrics;

import io.fttcp.link.ethernet.EthernetStats;
import io.fttcp.roles.StackHost;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** A stack host's readings: its TAP device, its Ethernet interface (ARP, fencing) and its connections. */
public final class StackReadings {
    private StackReadings() {
    }

    public static List<Reading> of(StackHost host) {
        return of(host, () -> List::of);
    }

    /** Copies, under the host lock, what an owner's readings need, and returns how to make them from the copy afterwards. */
    @FunctionalInterface
    public interface LockedCopy {
        Supplier<List<Reading>> copy();
    }

    /**
     * The host's readings, and the owner's that also need the host lock: {@code alsoUnderLock}
     * runs under the same take of the lock (one wait at most per scrape, and one consistent
     * moment), copying what it needs; the readings it returns are made after the lock is released.
     */
    public static List<Reading> of(StackHost host, LockedCopy alsoUnderLock) {
        List<Reading> all = new ArrayList<>(TapReadings.of(host.tap()));
        // Only copies under the host lock (a scrape must not hold up the packets); the readings are made after.
        long[] v = new long[16];
        List<Supplier<List<Reading>>> owners = new ArrayList<>(1);
        boolean copied = HostLockCopy.tryCopy(host.loop().lock(), () -> {
            owners.add(alsoUnderLock.copy());
            EthernetStats e = host.ethernet().stats();
            v[0] = e.addressConflicts();
            v[1] = e.arpRequestsSent();
            v[2] = e.resolutionFailures();
            v[3] = e.droppedUnresolved();
            v[4] = e.droppedQueueFull();
            v[5] = e.droppedPastLease();
            v[6] = host.ip().connectionCount();
            io.fttcp.stack.host.HostStats h = host.ip().stats();
            v[7] = h.synCookiesSent;
            v[8] = h.synsDroppedBacklogFull;
            v[9] = h.resetsSent;
            v[10] = h.timeWaitsEndedByNewSyn;
            io.fttcp.stack.host.LossTotals loss = host.ip().lossTotals();
            v[11] = loss.retransmits;
            v[12] = loss.timeouts;
            v[13] = loss.fastRetransmits;
            v[14] = loss.lostRetransmissions;
            v[15] = loss.sackRenegings;
        });
        all.add(Reading.flag("fttcp_host_lock_busy", "1 when this scrape could not take the stack's host lock within "
                + HostLockCopy.PATIENCE_MILLIS + " ms (a wedged stack): the readings that need it are left out", !copied));
        if (!copied) return all;
        long conflicts = v[0], requests = v[1], resolutionFailures = v[2], unresolved = v[3], queueFull = v[4], pastLease = v[5];
        int connections = (int) v[6];
        all.add(Reading.counter("fttcp_arp_address_conflicts", "ARP from another station claiming one of our addresses (a primary steps down on it)", conflicts));
        all.add(Reading.counter("fttcp_arp_requests_sent", "ARP requests sent (resolving next hops)", requests));
        all.add(Reading.counter("fttcp_arp_resolution_failures", "Next hops that never answered ARP", resolutionFailures));
        all.add(Reading.counter("fttcp_arp_held_dropped_unresolved", "Packets held for ARP and dropped: the next hop never answered", unresolved));
        all.add(Reading.counter("fttcp_arp_held_dropped_queue_full", "Packets held for ARP and dropped: too many held for one next hop", queueFull));
        all.add(Reading.counter("fttcp_ethernet_dropped_past_lease",
                "Frames not sent because this primary's lease had run out or it is fenced (ARP and unprotected traffic included)", pastLease));
        all.add(Reading.gauge("fttcp_connections", "TCP connections on the stack", connections));
        all.add(Reading.counter("fttcp_tcp_syn_cookies_sent", "SYN-ACKs sent as SYN cookies (the half-open backlog was full: a SYN flood?)", v[7]));
        all.add(Reading.counter("fttcp_tcp_syns_dropped_backlog_full", "SYNs dropped because the application's accept queue was full", v[8]));
        all.add(Reading.counter("fttcp_tcp_resets_sent", "RSTs sent for segments of no connection, and to clients of connections a takeover did not restore", v[9]));
        all.add(Reading.counter("fttcp_tcp_time_waits_ended_by_new_syn",
                "Connections in TIME-WAIT ended by the client's SYN opening a new one on the same ports, as on Linux", v[10]));
        all.add(Reading.counter("fttcp_tcp_retransmitted_segments", "Data segments sent again, over all connections (Linux: RetransSegs)", v[11]));
        all.add(Reading.counter("fttcp_tcp_timeouts", "Retransmission timeouts (Linux: TCPTimeouts)", v[12]));
        all.add(Reading.counter("fttcp_tcp_fast_recoveries", "Loss recoveries entered by duplicate ACKs or SACK, without a timeout", v[13]));
        all.add(Reading.counter("fttcp_tcp_lost_retransmissions",
                "Retransmissions found lost in turn by SACK and sent again without a timeout (Linux: TCPLostRetransmit)", v[14]));
        all.add(Reading.counter("fttcp_tcp_sack_renegings",
                "Peers seen dropping data they had SACKed; a backup that takes over does so for what the primary SACKed but never logged (Linux: TCPSACKReneging)", v[15]));
        all.addAll(owners.getFirst().get());
        return all;
    }
}
