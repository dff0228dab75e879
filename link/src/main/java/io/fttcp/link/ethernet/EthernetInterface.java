package io.fttcp.link.ethernet;

import io.fttcp.stack.runtime.TimerDriven;
import io.fttcp.link.FrameLink;
import io.fttcp.link.FrameOffload;
import io.fttcp.link.FrameReceiver;
import io.fttcp.stack.host.IpPacketSink;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Joins an IP stack to an Ethernet {@link FrameLink}: receives frames for our MAC or broadcast,
 * passes IPv4 up, answers and learns ARP; sends IP packets (it is the stack's
 * {@link IpPacketSink}) to the next hop's MAC, resolving it by ARP and holding a few packets
 * meanwhile. Sends gratuitous ARP on request (takeover announces the service address).
 *
 * <p>Sans-I/O: time is passed in; after any call {@link #nextDeadline()} says when
 * {@link #onTimer} is due. Not thread-safe: the owner serializes all calls (receive, accept,
 * onTimer, address changes), e.g. on the host's event loop. The constructor registers the
 * interface as the link's receiver; an owner whose link delivers on another thread replaces
 * that with a receiver that serializes and then calls {@link #receive}.
 */
public final class EthernetInterface implements IpPacketSink, FrameReceiver, TimerDriven {
    private static final int IPV4_MIN_HEADER = 20;

    private final FrameLink link;
    private final EthernetConfig config;
    private final int netmask;
    private final long retryNanos;
    private final ArpCache cache;
    private final EthernetStats stats = new EthernetStats();
    private final EthernetFrame rxFrame = new EthernetFrame();
    private final ArpPacket rxArp = new ArpPacket();
    private final ByteBuffer txBuffer;
    private final ByteBuffer arpBuffer = ByteBuffer.allocate(EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH);
    private final FrameOffload txOffload = new FrameOffload();
    private final List<PendingResolution> pending = new ArrayList<>();
    private final List<Announcement> announcements = new ArrayList<>();
    private LongSupplier emissionDeadline = () -> Long.MAX_VALUE;
    private int[] addresses = new int[0];
    private long mac;
    private IpPacketSink upward = (packet, now) -> { };

    public EthernetInterface(FrameLink link, EthernetConfig config) {
        this.link = link;
        this.config = config;
        this.netmask = config.netmask();
        this.mac = config.mac().value();
        this.retryNanos = config.arpRetryInterval().toNanos();
        this.cache = new ArpCache(config.arpCacheEntries(), config.arpEntryTtl().toNanos(), config.arpRefreshBefore().toNanos());
        this.txBuffer = ByteBuffer.allocate(EthernetFrame.HEADER_LENGTH + config.maxPacketLength());
        link.setReceiver(this);
    }

    /** Where received IPv4 packets go (the stack, or the south-side wrapper in front of it). */
    public void setUpward(IpPacketSink upward) {
        this.upward = upward;
    }

    public void addAddress(int address) {
        if (!hasAddress(address)) {
            int[] more = java.util.Arrays.copyOf(addresses, addresses.length + 1);
            more[addresses.length] = address;
            addresses = more;
        }
    }

    public void removeAddress(int address) {
        int[] fewer = new int[addresses.length];
        int n = 0;
        for (int a : addresses) {
            if (a != address) {
                fewer[n++] = a;
            }
        }
        addresses = java.util.Arrays.copyOf(fewer, n);
    }

    public boolean hasAddress(int address) {
        for (int a : addresses) {
            if (a == address) {
                return true;
            }
        }
        return false;
    }

    public int[] addresses() {
        return addresses.clone();
    }

    public MacAddress mac() {
        return new MacAddress(mac);
    }

    /** Changes our MAC, e.g. to a virtual router MAC at takeover; announce it with gratuitous ARP. */
    public void setMac(MacAddress newMac) {
        if (newMac.isMulticast()) {
            throw new IllegalArgumentException("interface MAC must be unicast, got " + newMac);
        }
        this.mac = newMac.value();
    }

    public EthernetStats stats() {
        return stats;
    }

    public FrameLink link() {
        return link;
    }

    /** The offload metadata of the packet being delivered upward (offsets from the frame start); null without offloads. */
    public FrameOffload receivedOffload() {
        return link.receivedOffload();
    }

    /** During an upward delivery: whether the link vouches for the packet's checksums, so the stack may skip verifying them. */
    public boolean receivedChecksumTrusted() {
        FrameOffload offload = link.receivedOffload();
        return offload != null && offload.checksumTrusted();
    }

    /** The MAC cached for {@code ip}, or null; for tests and diagnostics. */
    public MacAddress cachedMac(int ip, long now) {
        long m = cache.lookup(ip, now);
        return m == ArpCache.ABSENT ? null : new MacAddress(m);
    }

    // ---------------------------------------------------------------- receive

    @Override
    public void receive(ByteBuffer frame, long now) {
        stats.framesReceived++;
        if (!rxFrame.wrap(frame)) {
            stats.droppedRunt++;
            return;
        }
        long dst = rxFrame.destination();
        if (dst != mac && dst != MacAddress.BROADCAST_VALUE) {
            stats.droppedNotForUs++;
            return;
        }
        switch (rxFrame.etherType()) {
            case EthernetFrame.TYPE_IPV4 -> deliverIpv4(frame, now);
            case EthernetFrame.TYPE_ARP -> receiveArp(frame, now);
            default -> stats.droppedUnsupportedType++;
        }
    }

    private void deliverIpv4(ByteBuffer frame, long now) {
        int savedPosition = frame.position();
        int savedLimit = frame.limit();
        int start = rxFrame.payloadIndex();
        int end = savedLimit;
        int available = rxFrame.payloadLength();
        // Trim Ethernet padding when the IP header's total length says the packet is shorter.
        if (available >= IPV4_MIN_HEADER) {
            int totalLength = NetworkOrder.u16(frame, start + 2);
            if (totalLength >= IPV4_MIN_HEADER && totalLength < available) {
                end = start + totalLength;
            }
        }
        frame.limit(end).position(start);
        try {
            stats.ipPacketsDelivered++;
            upward.accept(frame, now);
        } finally {
            frame.limit(savedLimit).position(savedPosition);
        }
    }

    private void receiveArp(ByteBuffer frame, long now) {
        if (!rxArp.wrap(frame, rxFrame.payloadIndex(), rxFrame.payloadLength())) {
            stats.droppedMalformedArp++;
            return;
        }
        long senderMac = rxArp.senderMac();
        int senderIp = rxArp.senderIp();
        int targetIp = rxArp.targetIp();
        if (MacAddress.isMulticast(senderMac) || senderMac == 0) {
            stats.droppedMalformedArp++;
            return;
        }
        if (rxArp.operation() == ArpPacket.OP_REPLY) {
            stats.arpRepliesReceived++;
        }
        if (hasAddress(senderIp)) {
            // Someone else claims our address: never learn it. Our own frames never come back to
            // us (a switch does not send a frame out of the port it came in), so this is another
            // host, even with our MAC: a replica that took over a service address with its
            // virtual MAC.
            stats.addressConflicts++;
            return;
        }
        boolean forUs = hasAddress(targetIp);
        // RFC 826 merge: refresh what we know; learn new senders only when they talk to us.
        if (senderIp != 0) {
            if (forUs) {
                cache.put(senderIp, senderMac, now);
            } else {
                cache.update(senderIp, senderMac, now);
            }
            flushPending(senderIp, now);
        }
        if (forUs && rxArp.operation() == ArpPacket.OP_REQUEST) {
            sendArp(ArpPacket.OP_REPLY, senderMac, targetIp, senderMac, senderIp, now);
            stats.arpRequestsAnswered++;
        }
    }

    // ---------------------------------------------------------------- send

    @Override
    public void accept(ByteBuffer packet, long now) {
        send(packet, null, now);
    }

    /**
     * Until when frames may leave this interface, asked as each one is sent (Long.MAX_VALUE: no
     * limit, the default; Long.MIN_VALUE: nothing leaves): a primary's south-side wrapper answers
     * with its lease's end, so a primary whose lease ran out emits nothing, not even ARP or
     * unprotected traffic with the service's MAC (a switch would learn that MAC back at the old
     * primary's port). A frame past it is dropped here and counted; otherwise the deadline goes
     * to the link with the frame (a TAP writes later, on its own thread, and drops it past it). A
     * packet held for ARP resolution is judged when its answer comes, by the lease as it stands
     * then (renewed meanwhile: no takeover happened, it may leave).
     */
    public void setEmissionDeadline(LongSupplier deadline) {
        this.emissionDeadline = deadline == null ? () -> Long.MAX_VALUE : deadline;
    }

    /** The deadline for a frame sent at {@code now}, or Long.MIN_VALUE (counted) if it must not leave. */
    private long deadlineAt(long now) {
        long deadline = emissionDeadline.getAsLong();
        if (deadline == Long.MAX_VALUE) return deadline;
        if (deadline == Long.MIN_VALUE || now - deadline >= 0) {
            stats.droppedPastLease++;
            return Long.MIN_VALUE;
        }
        return deadline;
    }

    /**
     * Sends an IP packet, optionally with offload metadata whose offsets count from the IP
     * header (they are moved past the Ethernet header here). Offloads need a link that has them.
     */
    public void send(ByteBuffer packet, FrameOffload offload, long now) {
        int start = packet.position();
        int length = packet.remaining();
        if (length < IPV4_MIN_HEADER || (packet.get(start) & 0xf0) != 0x40 || length > config.maxPacketLength()) {
            stats.droppedMalformedOutgoing++;
            return;
        }
        if (offload != null && !offload.isPlain() && !link.offloadsEnabled()) {
            throw new IllegalStateException("offloaded packet sent on a link without offloads: " + offload);
        }
        int dst = NetworkOrder.i32(packet, start + 16);
        long dstMac = multicastOrBroadcastMac(dst);
        if (dstMac == ArpCache.ABSENT) {
            if (hasAddress(dst)) {
                stats.droppedToOurAddress++; // looping back is the stack's business, not the wire's
                return;
            }
            int nextHop = onLink(dst) ? dst : config.gateway();
            if (nextHop == 0) {
                stats.droppedNoRoute++;
                return;
            }
            dstMac = cache.lookup(nextHop, now);
            if (dstMac == ArpCache.ABSENT) {
                hold(nextHop, packet, offload, NetworkOrder.i32(packet, start + 12), now);
                return;
            }
            if (cache.claimRefresh(nextHop, now, retryNanos)) {
                sendArp(ArpPacket.OP_REQUEST, MacAddress.BROADCAST_VALUE, sourceFor(nextHop, 0), 0, nextHop, now);
                stats.arpRequestsSent++;
            }
        }
        transmit(dstMac, packet, start, length, offload, now);
    }

    private long multicastOrBroadcastMac(int dst) {
        if (dst == -1) {
            return MacAddress.BROADCAST_VALUE;
        }
        if ((dst & 0xf0000000) == 0xe0000000) {
            return 0x01005e000000L | (dst & 0x7fffff); // RFC 1112 section 6.4
        }
        for (int a : addresses) {
            if (netmask != -1 && dst == (a | ~netmask)) {
                return MacAddress.BROADCAST_VALUE;
            }
        }
        return ArpCache.ABSENT;
    }

    private boolean onLink(int dst) {
        for (int a : addresses) {
            if (((a ^ dst) & netmask) == 0) {
                return true;
            }
        }
        return false;
    }

    /** Our address to speak from towards {@code nextHop}: the packet's source if ours, else one on its subnet. */
    private int sourceFor(int nextHop, int packetSource) {
        if (packetSource != 0 && hasAddress(packetSource)) {
            return packetSource;
        }
        for (int a : addresses) {
            if (((a ^ nextHop) & netmask) == 0) {
                return a;
            }
        }
        return addresses.length > 0 ? addresses[0] : 0;
    }

    private void transmit(long dstMac, ByteBuffer packet, int start, int length, FrameOffload offload, long now) {
        long deadline = deadlineAt(now);
        if (deadline == Long.MIN_VALUE) return;
        ByteBuffer tx = txBuffer.clear();
        EthernetFrame.writeHeader(tx, 0, dstMac, mac, EthernetFrame.TYPE_IPV4);
        tx.put(EthernetFrame.HEADER_LENGTH, packet, start, length);
        tx.limit(EthernetFrame.HEADER_LENGTH + length);
        stats.framesSent++;
        link.send(tx, offload == null || offload.isPlain() ? null : txOffload.copyFrom(offload).shift(EthernetFrame.HEADER_LENGTH), deadline);
    }

    private void hold(int nextHop, ByteBuffer packet, FrameOffload offload, int packetSource, long now) {
        PendingResolution p = findPending(nextHop);
        if (p == null) {
            if (pending.size() >= config.maxPendingDestinations()) {
                stats.droppedTooManyPending++;
                return;
            }
            p = new PendingResolution(nextHop, sourceFor(nextHop, packetSource));
            pending.add(p);
            requestResolution(p, now);
        }
        while (!p.packets.isEmpty() && (p.packets.size() >= config.pendingPacketsPerDestination()
                || p.heldBytes + packet.remaining() > config.pendingBytesPerDestination())) {
            p.heldBytes -= p.packets.removeFirst().data().length;
            stats.droppedQueueFull++;
        }
        byte[] copy = new byte[packet.remaining()];
        packet.get(packet.position(), copy);
        FrameOffload offloadCopy = offload == null || offload.isPlain() ? null : new FrameOffload().copyFrom(offload);
        p.packets.addLast(new HeldPacket(copy, offloadCopy));
        p.heldBytes += copy.length;
    }

    private void requestResolution(PendingResolution p, long now) {
        sendArp(ArpPacket.OP_REQUEST, MacAddress.BROADCAST_VALUE, p.sourceIp, 0, p.ip, now);
        stats.arpRequestsSent++;
        p.requestsSent++;
        p.nextRequestAt = now + retryNanos;
    }

    private void flushPending(int ip, long now) {
        PendingResolution p = findPending(ip);
        if (p == null) {
            return;
        }
        pending.remove(p);
        long dstMac = cache.lookup(ip, now);
        if (dstMac == ArpCache.ABSENT) {
            // Learned nothing usable (cache bound of zero cannot happen, but stay safe): keep waiting.
            pending.add(p);
            return;
        }
        for (HeldPacket held : p.packets) {
            transmit(dstMac, ByteBuffer.wrap(held.data()), 0, held.data().length, held.offload(), now);
        }
    }

    private PendingResolution findPending(int ip) {
        for (PendingResolution p : pending) {
            if (p.ip == ip) {
                return p;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- gratuitous ARP and timers

    /** Announces {@code address} at our MAC once, now (an ARP request with sender = target = address, broadcast). */
    public void sendGratuitousArp(int address, long now) {
        sendGratuitousArp(address, 1, 0, now);
    }

    /** Announces {@code address} {@code count} times, the first now and the rest {@code intervalNanos} apart via onTimer. */
    public void sendGratuitousArp(int address, int count, long intervalNanos, long now) {
        if (count < 1) {
            throw new IllegalArgumentException("gratuitous ARP count must be at least 1, got " + count);
        }
        announce(address, now);
        if (count > 1) {
            announcements.add(new Announcement(address, count - 1, intervalNanos, now + intervalNanos));
        }
    }

    private void announce(int address, long now) {
        sendArp(ArpPacket.OP_REQUEST, MacAddress.BROADCAST_VALUE, address, 0, address, now);
        stats.gratuitousArpsSent++;
    }

    private void sendArp(int operation, long ethernetDestination, int senderIp, long targetMac, int targetIp, long now) {
        long deadline = deadlineAt(now);
        if (deadline == Long.MIN_VALUE) return;
        ByteBuffer b = arpBuffer.clear();
        int at = EthernetFrame.writeHeader(b, 0, ethernetDestination, mac, EthernetFrame.TYPE_ARP);
        b.limit(ArpPacket.write(b, at, operation, mac, senderIp, targetMac, targetIp));
        stats.framesSent++;
        link.send(b, null, deadline);
    }

    /** When {@link #onTimer} is next due; Long.MAX_VALUE if nothing is pending. */
    @Override
    public long nextDeadline() {
        long next = Long.MAX_VALUE;
        // Indexed loops: asked after every received batch, so no iterator garbage.
        for (int i = 0; i < pending.size(); i++) {
            next = Math.min(next, pending.get(i).nextRequestAt);
        }
        for (int i = 0; i < announcements.size(); i++) {
            next = Math.min(next, announcements.get(i).nextAt);
        }
        return next;
    }

    /** Retries or abandons unresolved destinations and sends scheduled announcements; early calls are harmless. */
    @Override
    public void onTimer(long now) {
        for (int i = pending.size() - 1; i >= 0; i--) {
            PendingResolution p = pending.get(i);
            if (now < p.nextRequestAt) {
                continue;
            }
            if (p.requestsSent >= config.arpMaxRequests()) {
                pending.remove(i);
                stats.droppedUnresolved += p.packets.size();
                stats.resolutionFailures++;
            } else {
                requestResolution(p, now);
            }
        }
        for (int i = announcements.size() - 1; i >= 0; i--) {
            Announcement a = announcements.get(i);
            if (now < a.nextAt) {
                continue;
            }
            announce(a.address, now);
            a.remaining--;
            a.nextAt = now + a.interval;
            if (a.remaining == 0) {
                announcements.remove(i);
            }
        }
    }

    private static final class PendingResolution {
        final int ip;
        final int sourceIp;
        final ArrayDeque<HeldPacket> packets = new ArrayDeque<>();
        long heldBytes;
        int requestsSent;
        long nextRequestAt;

        PendingResolution(int ip, int sourceIp) {
            this.ip = ip;
            this.sourceIp = sourceIp;
        }
    }

    private record HeldPacket(byte[] data, FrameOffload offload) {
    }

    private static final class Announcement {
        final int address;
        final long interval;
        int remaining;
        long nextAt;

        Announcement(int address, int remaining, long interval, long nextAt) {
            this.address = address;
            this.remaining = remaining;
            this.interval = interval;
            this.nextAt = nextAt;
        }
    }
}
