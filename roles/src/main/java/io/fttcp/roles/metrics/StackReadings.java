package io.fttcp.roles.metrics;

import io.fttcp.link.ethernet.EthernetStats;
import io.fttcp.roles.StackHost;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/** A stack host's readings: its TAP device, its Ethernet interface (ARP, fencing) and its connections. */
public final class StackReadings {
    private StackReadings() {
    }

    public static List<Reading> of(StackHost host) {
        List<Reading> all = new ArrayList<>(TapReadings.of(host.tap()));
        // Only copies under the host lock (a scrape must not hold up the packets); the readings are made after.
        long conflicts, requests, unresolved, queueFull, pastLease, resolutionFailures;
        int connections;
        ReentrantLock lock = host.loop().lock();
        lock.lock();
        try {
            EthernetStats e = host.ethernet().stats();
            conflicts = e.addressConflicts();
            requests = e.arpRequestsSent();
            unresolved = e.droppedUnresolved();
            queueFull = e.droppedQueueFull();
            pastLease = e.droppedPastLease();
            resolutionFailures = e.resolutionFailures();
            connections = host.ip().connectionCount();
        } finally {
            lock.unlock();
        }
        all.add(Reading.counter("fttcp_arp_address_conflicts", "ARP from another station claiming one of our addresses (a primary steps down on it)", conflicts));
        all.add(Reading.counter("fttcp_arp_requests_sent", "ARP requests sent (resolving next hops)", requests));
        all.add(Reading.counter("fttcp_arp_resolution_failures", "Next hops that never answered ARP", resolutionFailures));
        all.add(Reading.counter("fttcp_arp_held_dropped_unresolved", "Packets held for ARP and dropped: the next hop never answered", unresolved));
        all.add(Reading.counter("fttcp_arp_held_dropped_queue_full", "Packets held for ARP and dropped: too many held for one next hop", queueFull));
        all.add(Reading.counter("fttcp_ethernet_dropped_past_lease",
                "Frames not sent because this primary's lease had run out or it is fenced (ARP and unprotected traffic included)", pastLease));
        all.add(Reading.gauge("fttcp_connections", "TCP connections on the stack", connections));
        return all;
    }
}
