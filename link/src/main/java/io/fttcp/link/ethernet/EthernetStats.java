package io.fttcp.link.ethernet;

/** Counters of an {@link EthernetInterface}: traffic, ARP activity and every kind of drop. */
public final class EthernetStats {
    long framesReceived;
    long framesSent;
    long ipPacketsDelivered;
    long droppedRunt;
    long droppedNotForUs;
    long droppedUnsupportedType;
    long droppedMalformedArp;
    long arpRequestsAnswered;
    long arpRequestsSent;
    long arpRepliesReceived;
    long gratuitousArpsSent;
    long addressConflicts;
    long droppedMalformedOutgoing;
    long droppedNoRoute;
    long droppedToOurAddress;
    long droppedQueueFull;
    long droppedUnresolved;
    long droppedTooManyPending;
    long droppedPastLease;
    long resolutionFailures;

    public long framesReceived() { return framesReceived; }
    public long framesSent() { return framesSent; }
    public long ipPacketsDelivered() { return ipPacketsDelivered; }
    /** Received frames shorter than an Ethernet header. */
    public long droppedRunt() { return droppedRunt; }
    /** Received frames for another unicast MAC or a multicast group. */
    public long droppedNotForUs() { return droppedNotForUs; }
    /** Received frames of an EtherType other than IPv4 and ARP (IPv6, VLAN, 802.3 ...). */
    public long droppedUnsupportedType() { return droppedUnsupportedType; }
    public long droppedMalformedArp() { return droppedMalformedArp; }
    public long arpRequestsAnswered() { return arpRequestsAnswered; }
    public long arpRequestsSent() { return arpRequestsSent; }
    public long arpRepliesReceived() { return arpRepliesReceived; }
    public long gratuitousArpsSent() { return gratuitousArpsSent; }
    /** ARP packets from another station claiming one of our addresses. */
    public long addressConflicts() { return addressConflicts; }
    /** Outgoing packets that were not IPv4 or too long. */
    public long droppedMalformedOutgoing() { return droppedMalformedOutgoing; }
    /** Outgoing packets to a destination off our subnets with no gateway configured. */
    public long droppedNoRoute() { return droppedNoRoute; }
    /** Outgoing packets addressed to one of our own addresses (the stack loops those back itself). */
    public long droppedToOurAddress() { return droppedToOurAddress; }
    /** Held packets dropped (oldest first) because their destination's queue was full. */
    public long droppedQueueFull() { return droppedQueueFull; }
    /** Held packets dropped because their destination never answered ARP. */
    public long droppedUnresolved() { return droppedUnresolved; }
    /** Outgoing packets dropped because too many destinations were resolving at once. */
    public long droppedTooManyPending() { return droppedTooManyPending; }
    public long resolutionFailures() { return resolutionFailures; }
    /** Frames not sent because the primary's lease had run out or it is fenced (ARP included; see setEmissionDeadline). */
    public long droppedPastLease() { return droppedPastLease; }

    @Override
    public String toString() {
        return "EthernetStats[rx=" + framesReceived + " tx=" + framesSent + " ipUp=" + ipPacketsDelivered
                + " runt=" + droppedRunt + " notForUs=" + droppedNotForUs + " unsupported=" + droppedUnsupportedType
                + " badArp=" + droppedMalformedArp + " arpAnswered=" + arpRequestsAnswered + " arpAsked=" + arpRequestsSent
                + " arpReplies=" + arpRepliesReceived + " garp=" + gratuitousArpsSent + " conflicts=" + addressConflicts
                + " badOut=" + droppedMalformedOutgoing + " noRoute=" + droppedNoRoute + " toSelf=" + droppedToOurAddress + " queueFull=" + droppedQueueFull
                + " unresolved=" + droppedUnresolved + " tooManyPending=" + droppedTooManyPending + " pastLease=" + droppedPastLease
                + " resolutionFailures=" + resolutionFailures + "]";
    }
}
