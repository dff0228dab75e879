package io.fttcp.roles;

import io.fttcp.link.FrameLink;
import io.fttcp.link.FrameOffload;
import io.fttcp.link.FrameReceiver;
import io.fttcp.link.ethernet.EthernetConfig;
import io.fttcp.link.ethernet.EthernetFrame;
import io.fttcp.link.ethernet.EthernetInterface;
import io.fttcp.link.ethernet.Ipv4Text;
import io.fttcp.link.ethernet.MacAddress;
import io.fttcp.replication.record.Record;
import io.fttcp.stack.host.HostConfig;
import io.fttcp.stack.host.IpHost;
import io.fttcp.stack.tcp.TcpEvents;
import io.fttcp.wrappers.ssw.ProtectedService;
import io.fttcp.wrappers.ssw.RecordSink;
import io.fttcp.wrappers.ssw.SouthSideWrapper;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The primary's wiring ({@link StackHost#interpose}) on an in-memory wire, no TAP: every frame
 * reaches the link with the lease's end as its deadline (what the TAP's writer drops after), and
 * once the lease has run out nothing leaves.
 */
class StackHostWiringTest {
    private static final int SERVICE = Ipv4Text.parse("198.18.0.100");
    private static final int CLIENT = Ipv4Text.parse("198.18.0.10");
    private static final int TCP = 6;

    /** Frames in flight on the wire; delivered one at a time (never from inside a delivery). */
    private final ArrayDeque<Runnable> wire = new ArrayDeque<>();
    private final List<Sent> fromServer = new ArrayList<>();

    record Sent(int etherType, int ipProtocol, long deadline) {
    }

    private final class Port implements FrameLink {
        EthernetInterface peer;
        final boolean server;

        Port(boolean server) {
            this.server = server;
        }

        @Override
        public void send(ByteBuffer frame) {
            send(frame, null, Long.MAX_VALUE);
        }

        @Override
        public void send(ByteBuffer frame, FrameOffload offload) {
            send(frame, offload, Long.MAX_VALUE);
        }

        @Override
        public void send(ByteBuffer frame, FrameOffload offload, long deadline) {
            ByteBuffer copy = ByteBuffer.allocate(frame.remaining()).put(frame.duplicate()).flip();
            if (server) {
                int type = copy.getShort(12) & 0xffff;
                fromServer.add(new Sent(type, type == EthernetFrame.TYPE_IPV4 ? copy.get(EthernetFrame.HEADER_LENGTH + 9) : -1, deadline));
            }
            wire.add(() -> peer.receive(copy, NOW));
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public void setReceiver(FrameReceiver receiver) {
        }
    }

    private static final long NOW = 1_000_000_000L;

    private static final class Log implements RecordSink {
        long last;
        long stable;

        @Override
        public long append(Record record, long now) {
            return ++last;
        }

        @Override
        public long stableLsn() {
            return stable;
        }
    }

    private void deliverAll() {
        for (int i = 0; i < 1000 && !wire.isEmpty(); i++) wire.poll().run();
        assertTrue(wire.isEmpty(), "the wire settles");
    }

    @Test
    void aProtectedPacketReachesTheLinkWithTheLeasesEndAsItsDeadline() {
        Port serverPort = new Port(true);
        Port clientPort = new Port(false);
        EthernetInterface serverEth = new EthernetInterface(serverPort, EthernetConfig.defaults(MacAddress.parse("02:00:00:00:00:01"), 24));
        EthernetInterface clientEth = new EthernetInterface(clientPort, EthernetConfig.defaults(MacAddress.parse("02:00:00:00:00:02"), 24));
        serverPort.peer = clientEth;
        clientPort.peer = serverEth;

        Log log = new Log();
        SouthSideWrapper ssw = new SouthSideWrapper(new ProtectedService(SERVICE, 80), log, serverEth, false);
        IpHost server = new IpHost(HostConfig.defaults(1, 2), ssw.stackSide());
        server.addAddress(SERVICE);
        serverEth.addAddress(SERVICE);
        StackHost.interpose(serverEth, ssw, server);
        server.listen(SERVICE, 80, 16, listener -> { });

        IpHost client = new IpHost(HostConfig.defaults(3, 4), clientEth);
        client.addAddress(CLIENT);
        clientEth.addAddress(CLIENT);
        clientEth.setUpward(client);

        long lease = NOW + 100_000_000L;
        ssw.setLeaseUntil(lease);
        client.connect(CLIENT, SERVICE, 80, TcpEvents.NONE, NOW);
        deliverAll();
        assertTrue(log.last >= 1, "the client's SYN was logged (CONNECT)");
        assertTrue(fromServer.stream().noneMatch(s -> s.ipProtocol() == TCP), "the SYN-ACK waits for its CONNECT: " + fromServer);

        log.stable = log.last;
        ssw.onStable(log.stable, NOW);
        deliverAll();
        List<Sent> tcp = fromServer.stream().filter(s -> s.ipProtocol() == TCP).toList();
        assertEquals(1, tcp.size(), "the SYN-ACK left once stable: " + fromServer);
        assertEquals(lease, tcp.getFirst().deadline(), "with the lease's end as its deadline");
        assertTrue(fromServer.stream().anyMatch(s -> s.etherType() == EthernetFrame.TYPE_ARP), "the server answered the client's ARP: " + fromServer);
        assertTrue(fromServer.stream().allMatch(s -> s.deadline() == lease), "its ARP too: " + fromServer);

        int sent = fromServer.size();
        serverEth.sendGratuitousArp(SERVICE, lease); // at the lease's end: too late
        ssw.setFenced(true);
        serverEth.sendGratuitousArp(SERVICE, NOW);
        assertEquals(sent, fromServer.size(), "past the lease, or fenced, nothing leaves: " + fromServer);
        assertEquals(2, serverEth.stats().droppedPastLease());
    }
}
