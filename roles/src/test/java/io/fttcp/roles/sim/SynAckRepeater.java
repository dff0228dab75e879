package io.fttcp.roles.sim;

import io.fttcp.replication.record.Connect;
import io.fttcp.sim.stack.SimStackHost;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpCheckpoint;
import io.fttcp.stack.tcp.TcpSegment;

import java.util.HashMap;
import java.util.Map;

/**
 * Stands in, on the simulated backup, for the SYN-RECEIVED state the stack's repair API cannot
 * restore. A connection whose CONNECT the backup has but whose client ACK of the SYN-ACK it has
 * not is materialized ESTABLISHED; but the client may still be in SYN-SENT (the primary never
 * sent the SYN-ACK, or it was lost), and a client in SYN-SENT ignores everything but a SYN-ACK,
 * while the restored connection answers its repeated SYN with a mere challenge ACK. So, as a
 * connection in SYN-RECEIVED would, the backup sends the primary's SYN-ACK (the sequence numbers
 * and options of the CONNECT record, a TSval of the restored clock) at takeover and again for
 * each SYN of that client. A client already established takes it as an old segment and answers
 * with an ACK, which the restored connection accepts.
 */
final class SynAckRepeater {
    private static final int WINDOW = 65535;

    private record Handshake(Connect connect, TcpCheckpoint checkpoint) {
    }

    private final SimStackHost host;
    private final RawSegments out;
    private final Map<FourTuple, Handshake> unconfirmed = new HashMap<>();
    private final TcpSegment seg = new TcpSegment();

    SynAckRepeater(SimStackHost host, RawSegments out) {
        this.host = host;
        this.out = out;
    }

    /** A restored connection whose handshake the client may not have completed: send its SYN-ACK now. */
    void add(Connect connect, TcpCheckpoint restored) {
        unconfirmed.put(connect.tuple(), new Handshake(connect, restored));
        send(connect.tuple());
    }

    /** A SYN from the client of {@code serverTuple} reached the backup: repeat the SYN-ACK, if that connection's handshake is unconfirmed. */
    void clientSyn(FourTuple serverTuple) {
        if (unconfirmed.containsKey(serverTuple)) send(serverTuple);
    }

    boolean isEmpty() {
        return unconfirmed.isEmpty();
    }

    private void send(FourTuple t) {
        Handshake h = unconfirmed.get(t);
        Connect c = h.connect();
        seg.clear();
        seg.seq = c.serverIsn();
        seg.ack = c.clientIsn() + 1;
        seg.flags = TcpSegment.SYN | TcpSegment.ACK;
        seg.window = WINDOW;
        seg.mss = c.serverMss();
        seg.windowScale = c.clientWindowShift() >= 0 ? c.serverWindowShift() : -1;
        seg.sackPermitted = c.sackPermitted();
        if (c.timestamps()) {
            seg.hasTimestamp = true;
            seg.tsVal = h.checkpoint().tsValAt(host.now());
            seg.tsEcr = c.clientTsVal();
        }
        out.send(t, seg);
    }
}
