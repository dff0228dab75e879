package io.fttcp.sim.net;

import io.fttcp.sim.Scheduler;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One simulated Ethernet segment: a learning switch with {@link SimPort}s. The switch learns
 * which port a source MAC was last seen on, forwards unicast frames to that port, and floods
 * broadcast, multicast and unknown-destination frames to every other port.
 *
 * <p>A frame from port A to port B crosses A's uplink, then the switch, then B's downlink, each
 * direction with its own {@link LinkConditions}; it is delivered to B's receiver with {@code now}
 * equal to its arrival time. Frames are copied when sent. {@link #partition} blocks frames
 * between two groups of ports until {@link #heal}: a frame is checked at the switch and again
 * on delivery, so nothing crosses a partition after it is made.
 *
 * <p>Deterministic: all randomness comes from the stream given at construction, split per port
 * direction in attach order.
 */
public final class SimulatedNetwork {
    private static final int POOLED_FRAME_BYTES = 2048;
    private static final int MAX_POOLED = 4096;
    private static final NetworkObserver[] NO_OBSERVERS = new NetworkObserver[0];

    private final Scheduler scheduler;
    private final SplittableRandom random;
    private final List<SimPort> ports = new ArrayList<>();
    private final MacTable macTable = new MacTable();
    private final ArrayDeque<Transit> pool = new ArrayDeque<>();
    private NetworkObserver[] observers = NO_OBSERVERS;
    private boolean[][] blocked = new boolean[0][];
    private long filtered;
    private java.util.function.Predicate<ByteBuffer> chosen;

    /** A network on {@code scheduler} drawing its randomness from {@code random} (keep it for this network only). */
    public SimulatedNetwork(Scheduler scheduler, SplittableRandom random) {
        this.scheduler = scheduler;
        this.random = random;
    }

    /** Attaches a port with ideal links. */
    public SimPort attach(String name) {
        return attach(name, LinkConditions.ideal());
    }

    /** Attaches a port with the same conditions in both directions. */
    public SimPort attach(String name, LinkConditions conditions) {
        return attach(name, conditions, conditions);
    }

    /**
     * Attaches a port named {@code name} (unique) whose link has {@code uplink} conditions from
     * the host to the switch and {@code downlink} from the switch to the host. The port gets the
     * locally administered MAC 02:00:00:00:hh:ll where hhll is its index + 1.
     */
    public SimPort attach(String name, LinkConditions uplink, LinkConditions downlink) {
        for (SimPort port : ports) {
            if (port.name().equals(name)) {
                throw new IllegalArgumentException("a port named '" + name + "' is already attached");
            }
        }
        int index = ports.size();
        long mac = 0x02_00_00_00_00_00L | (index + 1);
        SimPort port = new SimPort(this, name, index, mac, uplink, downlink, random);
        ports.add(port);
        boolean[][] grown = new boolean[index + 1][index + 1];
        for (int i = 0; i < index; i++) {
            System.arraycopy(blocked[i], 0, grown[i], 0, index);
        }
        blocked = grown;
        return port;
    }

    /** Ports in attach order. */
    public List<SimPort> ports() {
        return List.copyOf(ports);
    }

    /** The port named {@code name}. */
    public SimPort port(String name) {
        for (SimPort port : ports) {
            if (port.name().equals(name)) {
                return port;
            }
        }
        throw new IllegalArgumentException("no port named '" + name + "'; attached: " + ports);
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    public long now() {
        return scheduler.now();
    }

    /** Adds an observer of deliveries and drops. */
    public void addObserver(NetworkObserver observer) {
        NetworkObserver[] grown = Arrays.copyOf(observers, observers.length + 1);
        grown[observers.length] = observer;
        observers = grown;
    }

    /**
     * Blocks frames between every port of {@code a} and every port of {@code b}, both ways,
     * until {@link #heal()}. Partitions accumulate.
     */
    public void partition(Collection<SimPort> a, Collection<SimPort> b) {
        for (SimPort x : a) {
            requireOwn(x);
            for (SimPort y : b) {
                requireOwn(y);
                if (x == y) {
                    throw new IllegalArgumentException("port " + x + " is on both sides of the partition");
                }
                blocked[x.index()][y.index()] = true;
                blocked[y.index()][x.index()] = true;
            }
        }
    }

    /** Cuts {@code port} off from every other port attached so far. */
    public void isolate(SimPort port) {
        List<SimPort> others = new ArrayList<>(ports);
        others.remove(port);
        partition(List.of(port), others);
    }

    /** Removes all partitions. */
    public void heal() {
        for (boolean[] row : blocked) {
            Arrays.fill(row, false);
        }
    }

    /** Whether frames between {@code a} and {@code b} are blocked by a partition. */
    public boolean isBlocked(SimPort a, SimPort b) {
        return blocked[a.index()][b.index()];
    }

    /**
     * From now on, frames sent that {@code chosen} matches are lost on the sender's link (a
     * particular loss, where the link's own draws cannot aim); null: none.
     */
    public void dropWhen(java.util.function.Predicate<ByteBuffer> chosen) {
        this.chosen = chosen;
    }

    /** Unicast frames the switch discarded because source and destination were on the same port. */
    public long filtered() {
        return filtered;
    }

    // ---- the path of a frame -------------------------------------------------------------

    void send(SimPort from, ByteBuffer frame) {
        int length = frame.remaining();
        PortStats stats = from.stats();
        stats.framesSent++;
        stats.bytesSent += length;
        long now = scheduler.now();
        if (!from.isUp()) {
            drop(from, DropCause.LINK_DOWN);
            return;
        }
        if (length < LinkConditions.ETHERNET_HEADER) {
            drop(from, DropCause.MALFORMED);
            return;
        }
        if (chosen != null && chosen.test(frame.duplicate())) {
            drop(from, DropCause.CHOSEN);
            return;
        }
        DropCause cause = from.uplink.admit(length, now);
        if (cause != null) {
            drop(from, cause);
            return;
        }
        Transit transit = obtain(length);
        frame.get(frame.position(), transit.data, 0, length);
        transit.length = length;
        transit.from = from;
        transit.fromEpoch = from.epoch;
        transit.transmitEnd = from.uplink.transmitEnd();
        transit.to = null;
        scheduleCopies(transit, from.uplink);
    }

    void atSwitch(Transit transit) {
        SimPort from = transit.from;
        if (from.epoch != transit.fromEpoch && from.endOfEpoch(transit.fromEpoch) < transit.transmitEnd) {
            // The sender lost power before the frame had left its transmit queue.
            drop(from, DropCause.LINK_DOWN);
            release(transit);
            return;
        }
        if (from.isUp()) {
            macTable.learn(transit.sourceMac(), from);
        }
        long destination = transit.destinationMac();
        if (!isGroup(destination)) {
            SimPort target = macTable.lookup(destination);
            if (target == from) {
                filtered++;
                release(transit);
                return;
            }
            if (target != null) {
                forward(transit, target);
                return;
            }
        }
        flood(transit);
    }

    private void flood(Transit transit) {
        SimPort last = null;
        for (SimPort port : ports) {
            if (port == transit.from) {
                continue;
            }
            if (last != null) {
                forward(copyOf(transit), last);
            }
            last = port;
        }
        if (last != null) {
            forward(transit, last);
        } else {
            release(transit);
        }
    }

    private void forward(Transit transit, SimPort target) {
        if (isBlocked(transit.from, target)) {
            drop(target, DropCause.PARTITION);
            release(transit);
            return;
        }
        if (!target.isUp()) {
            drop(target, DropCause.LINK_DOWN);
            release(transit);
            return;
        }
        DropCause cause = target.downlink.admit(transit.length, scheduler.now());
        if (cause != null) {
            drop(target, cause);
            release(transit);
            return;
        }
        transit.to = target;
        transit.toEpoch = target.epoch;
        scheduleCopies(transit, target.downlink);
    }

    void atPort(Transit transit) {
        SimPort to = transit.to;
        try {
            if (!to.isUp() || to.epoch != transit.toEpoch) {
                drop(to, DropCause.LINK_DOWN);
            } else if (isBlocked(transit.from, to)) {
                drop(to, DropCause.PARTITION);
            } else if (to.receiver == null) {
                drop(to, DropCause.NO_RECEIVER);
            } else {
                long now = scheduler.now();
                to.stats().framesDelivered++;
                to.stats().bytesDelivered += transit.length;
                for (NetworkObserver observer : observers) {
                    observer.delivered(transit.from, to, transit.frame(), now);
                }
                to.receiver.receive(transit.frame(), now);
            }
        } finally {
            release(transit);
        }
    }

    void portWentDown(SimPort port) {
        macTable.forget(port);
    }

    private void scheduleCopies(Transit transit, LinkDirection direction) {
        long duplicateArrival = direction.duplicateArrival();
        if (duplicateArrival >= 0) {
            scheduler.schedule(duplicateArrival, copyOf(transit));
        }
        scheduler.schedule(direction.arrival(), transit);
    }

    private void drop(SimPort at, DropCause cause) {
        at.stats().drops[cause.ordinal()]++;
        for (NetworkObserver observer : observers) {
            observer.dropped(at, cause, scheduler.now());
        }
    }

    private void requireOwn(SimPort port) {
        if (port.network() != this) {
            throw new IllegalArgumentException("port " + port + " belongs to another network");
        }
    }

    private Transit copyOf(Transit original) {
        Transit copy = obtain(original.length);
        System.arraycopy(original.data, 0, copy.data, 0, original.length);
        copy.length = original.length;
        copy.from = original.from;
        copy.fromEpoch = original.fromEpoch;
        copy.transmitEnd = original.transmitEnd;
        copy.to = original.to;
        copy.toEpoch = original.toEpoch;
        return copy;
    }

    private Transit obtain(int length) {
        Transit transit = pool.pollLast();
        if (transit == null) {
            transit = new Transit(this, Math.max(POOLED_FRAME_BYTES, length));
        } else {
            transit.ensureCapacity(length);
        }
        return transit;
    }

    private void release(Transit transit) {
        transit.from = null;
        transit.to = null;
        if (pool.size() < MAX_POOLED) {
            pool.addLast(transit);
        }
    }

    /** Group (broadcast/multicast) addresses have the least significant bit of the first octet set. */
    private static boolean isGroup(long mac) {
        return (mac & 0x01_00_00_00_00_00L) != 0;
    }

    static long macAt(byte[] data, int offset) {
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            mac = (mac << 8) | (data[offset + i] & 0xFF);
        }
        return mac;
    }
}
