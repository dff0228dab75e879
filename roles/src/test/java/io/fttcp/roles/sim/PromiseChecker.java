package io.fttcp.roles.sim;

import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpSegment;
import io.fttcp.wrappers.ssw.ProtectedService;

import java.nio.ByteBuffer;

/**
 * Checks every frame from the protected service toward a client against what is stable at that
 * moment (DESIGN.md §3, the rules that make the promise hold):
 * <ol type="a">
 *   <li>an ACK never covers client data (or FIN) the stable records do not hold;</li>
 *   <li>a SYN-ACK leaves only once its CONNECT record is stable;</li>
 *   <li>an output byte leaves only once every record logged before the write that accepted it is
 *       stable, and our FIN only once the CLOSE record is;</li>
 * </ol>
 * and, while the primary is fenced, that nothing from the service address leaves at all. The
 * primary's egress ({@link #sent}) is checked at send time, the strongest place; frames reaching a
 * client ({@link #delivered}) are checked again at delivery. The first violation is kept (the
 * run goes on; the test asserts there was none).
 */
final class PromiseChecker {
    private static final int ETHER_HEADER = 14;

    private final ProtectedService service;
    private final SimReplicationLink log;
    private final LoggedSockets sockets;
    private boolean fenced;
    /** The primary's lease (nothing from the service address at or after it); MAX_VALUE: none. */
    private long leaseUntil = Long.MAX_VALUE;
    /** Unprotected (the backup is gone): the stability rules no longer apply. */
    private boolean unprotected;
    /** When the primary last sent a frame from the service address (Long.MIN_VALUE: never). */
    long lastSentFromService = Long.MIN_VALUE;
    private String violation;
    long synAcks, acks, dataSegments, fins, resets, sentWhileFenced;

    PromiseChecker(ProtectedService service, SimReplicationLink log, LoggedSockets sockets) {
        this.service = service;
        this.log = log;
        this.sockets = sockets;
    }

    /** From now on (until unfenced), the primary must send nothing from the service address. */
    void fenced(boolean fenced) {
        this.fenced = fenced;
    }

    /** The primary's lease runs until {@code until} (MAX_VALUE: no lease applies). */
    void leaseUntil(long until) {
        this.leaseUntil = until;
    }

    /** The primary continues without a backup: every record counts as stable from now on. */
    void unprotected() {
        this.unprotected = true;
    }

    /** The first violation seen, or null. */
    String violation() {
        return violation;
    }

    /** A frame the primary sends, at the moment it sends it. */
    void sent(ByteBuffer frame, long now) {
        if (isIpFromService(frame)) lastSentFromService = now;
        if (isIpFromService(frame) && now - leaseUntil >= 0 && leaseUntil != Long.MAX_VALUE) {
            violate("sent after the lease expired (at t=" + leaseUntil + ") at t=" + now, frame);
            return;
        }
        if (fenced && isIpFromService(frame)) {
            sentWhileFenced++;
            violate("sent while fenced at t=" + now, frame);
            return;
        }
        check(frame, now, "sent");
    }

    /** A frame reaching a client, at the moment it arrives. */
    void delivered(ByteBuffer frame, long now) {
        check(frame, now, "delivered");
    }

    private boolean isIpFromService(ByteBuffer f) {
        int p = f.position();
        return f.remaining() >= ETHER_HEADER + 20 && (f.getShort(p + 12) & 0xFFFF) == 0x0800
                && f.getInt(p + ETHER_HEADER + 12) == service.address();
    }

    private void check(ByteBuffer f, long now, String where) {
        if (!isIpFromService(f) || unprotected) return;
        int ip = f.position() + ETHER_HEADER;
        if (f.get(ip + 9) != 6) return;
        int ihl = (f.get(ip) & 0x0F) * 4;
        int totalLength = f.getShort(ip + 2) & 0xFFFF;
        int tcp = ip + ihl;
        int localPort = f.getShort(tcp) & 0xFFFF;
        if (!service.coversPort(localPort)) return;
        FourTuple tuple = new FourTuple(service.address(), localPort, f.getInt(ip + 16), f.getShort(tcp + 2) & 0xFFFF);
        int seq = f.getInt(tcp + 4), ack = f.getInt(tcp + 8);
        int flags = f.get(tcp + 13) & 0xFF;
        int payload = totalLength - ihl - ((f.get(tcp + 12) & 0xF0) >>> 2);
        String at = where + " " + tuple + " at t=" + now + "ns, stable LSN " + log.stableLsn();
        if ((flags & TcpSegment.RST) != 0) {
            resets++; // the promise forbids them on live connections; the tests check the endpoints
            return;
        }
        BackupImage.ClientStream stable = log.stableImage().stream(tuple);
        if ((flags & TcpSegment.SYN) != 0) {
            synAcks++;
            if (stable == null || stable.connect.serverIsn() != seq) violate("SYN-ACK before its CONNECT is stable: " + at, f);
            return;
        }
        if (stable == null) {
            violate("segment of a connection whose CONNECT is not stable: " + at, f);
            return;
        }
        if ((flags & TcpSegment.ACK) != 0) {
            acks++;
            if (ack - stable.rcvNext() > 0) {
                violate("ACK " + Integer.toUnsignedString(ack) + " above the stable client data "
                        + Integer.toUnsignedString(stable.rcvNext()) + " (" + stable.contiguousLength() + " bytes"
                        + (stable.finReached() ? " and FIN" : "") + "): " + at, f);
            }
        }
        long start = (long) (seq - (stable.connect.serverIsn() + 1)); // our streams stay far below 2 GiB
        long end = start + payload;
        if (payload > 0) {
            dataSegments++;
            long needed = sockets.lsnNeeded(tuple, end);
            if (needed > log.stableLsn()) {
                violate("output [" + start + ", " + end + ") before LSN " + (needed == Long.MAX_VALUE ? "(no write)" : needed)
                        + " is stable: " + at, f);
            }
        }
        if ((flags & TcpSegment.FIN) != 0) {
            fins++;
            long finOffset = sockets.finOffset(tuple);
            if (finOffset != end || sockets.finLsn(tuple) > log.stableLsn()) {
                violate("FIN at offset " + end + " (the application's at " + finOffset + ") before its CLOSE is stable: " + at, f);
            }
        }
    }

    private void violate(String what, ByteBuffer frame) {
        if (violation == null) violation = what;
    }

    @Override
    public String toString() {
        return "checked " + synAcks + " SYN-ACKs, " + acks + " ACKs, " + dataSegments + " data segments, " + fins + " FINs ("
                + resets + " RSTs)";
    }
}
