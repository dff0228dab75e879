package io.fttcp.roles.takeover;

import io.fttcp.replication.record.Record;
import io.fttcp.stack.host.HostConfig;
import io.fttcp.stack.host.IpHost;
import io.fttcp.stack.host.IpPacketSink;
import io.fttcp.wrappers.ssw.ProtectedService;
import io.fttcp.wrappers.ssw.RecordSink;
import io.fttcp.wrappers.ssw.SouthSideWrapper;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * A client, a primary behind its south-side wrapper, and a backup stack, on an in-memory network
 * with a manual clock and seeded loss. Packets to the service address go to whichever host owns
 * it; the backup takes it over at {@link #crashPrimary()}. Records the wrapper logs become stable
 * after a random number of later appends (a lagging backup), and are all kept: the backup receives
 * at least the stable ones.
 */
final class TakeoverWorld {
    static final int CLIENT = 0xC612000A, SERVICE = 0xC6120064; // 198.18.0.10, 198.18.0.100
    static final int PORT = 80;
    static final long MS = 1_000_000L;

    long now = 1_000 * MS;
    final SplittableRandom random;
    final double loss;
    final IpHost client;
    final IpHost primary;
    final SouthSideWrapper ssw;
    final RecordSink sink;
    IpHost backup;
    final List<Record> records = new ArrayList<>();
    long stable;
    /** Packets delivered so far (a crash moment counted in events: simulated time barely moves while data flows). */
    long delivered;
    private final ArrayDeque<Packet> inFlight = new ArrayDeque<>();
    private boolean primaryAlive = true;

    private record Packet(boolean toService, ByteBuffer bytes) {}

    TakeoverWorld(long seed, double loss) {
        this.random = new SplittableRandom(seed);
        this.loss = loss;
        client = new IpHost(HostConfig.defaults(random.nextLong(), random.nextLong()), send(true));
        client.addAddress(CLIENT);
        sink = new RecordSink() {
            @Override
            public long append(Record record, long t) {
                records.add(record);
                long lsn = records.size();
                // A lagging backup: stability trails appends by a random amount.
                if (random.nextInt(4) == 0) stable = Math.max(stable, lsn - random.nextInt((int) Math.min(lsn, 3)));
                return lsn;
            }

            @Override
            public long stableLsn() {
                return stable;
            }
        };
        ssw = new SouthSideWrapper(new ProtectedService(SERVICE, PORT), sink, send(false), false);
        primary = new IpHost(HostConfig.defaults(random.nextLong(), random.nextLong()), ssw.stackSide());
        ssw.attachStack(primary);
        primary.addAddress(SERVICE);
    }

    private IpPacketSink send(boolean toService) {
        return (p, t) -> {
            boolean lost = random.nextDouble() < loss;
            if (TRACE && !primaryAlive) trace(toService, p, lost);
            if (lost) return;
            ByteBuffer copy = ByteBuffer.allocate(p.remaining());
            copy.put(p.duplicate()).flip();
            inFlight.add(new Packet(toService, copy));
        };
    }

    static final boolean TRACE = Boolean.getBoolean("fttcp.takeover.trace");
    private final io.fttcp.stack.packet.Ipv4Packet traceIp = new io.fttcp.stack.packet.Ipv4Packet();
    private final io.fttcp.stack.packet.TcpCodec traceTcp = new io.fttcp.stack.packet.TcpCodec();
    private final io.fttcp.stack.tcp.TcpSegment traceSeg = new io.fttcp.stack.tcp.TcpSegment();

    private void trace(boolean toService, ByteBuffer p, boolean lost) {
        if (traceIp.parse(p.duplicate()) != null) return;
        if (traceTcp.parse(traceIp, true, traceSeg) != null) return;
        System.out.println((now / 1_000_000) + "ms " + (toService ? "C>S " : "S>C ") + traceSeg + (lost ? " LOST" : ""));
    }

    /** The primary dies: its packets in flight are lost, and the backup stack now owns the address. */
    IpHost crashPrimary() {
        primaryAlive = false;
        inFlight.removeIf(p -> !p.toService);
        backup = new IpHost(HostConfig.defaults(random.nextLong(), random.nextLong()), send(false));
        backup.addAddress(SERVICE);
        return backup;
    }

    /** Advances stability to everything appended (the backup caught up) and tells the wrapper. */
    void stabilizeAll() {
        stable = records.size();
        if (primaryAlive) ssw.onStable(stable, now);
    }

    boolean run(BooleanSupplier done, long maxNanos) {
        long end = now + maxNanos;
        while (!done.getAsBoolean()) {
            if (primaryAlive && random.nextInt(8) == 0) ssw.onStable(stable, now);
            Packet p = inFlight.poll();
            if (p != null) {
                delivered++;
                if (!p.toService) client.accept(p.bytes, now);
                else if (primaryAlive) ssw.linkSide().accept(p.bytes, now);
                else backup.accept(p.bytes, now);
                continue;
            }
            if (primaryAlive && stable < records.size()) {
                stabilizeAll();
                continue;
            }
            long next = Math.min(client.nextDeadline(), primaryAlive ? primary.nextDeadline() : backup.nextDeadline());
            if (next == Long.MAX_VALUE || next > end) return done.getAsBoolean();
            now = Math.max(now, next);
            if (client.nextDeadline() <= now) client.onTimer(now);
            IpHost server = primaryAlive ? primary : backup;
            if (server.nextDeadline() <= now) server.onTimer(now);
        }
        return true;
    }
}
