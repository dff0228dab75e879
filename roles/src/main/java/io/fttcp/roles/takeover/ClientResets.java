package io.fttcp.roles.takeover;

import io.fttcp.stack.host.IpHost;
import io.fttcp.stack.runtime.HostLoop;
import io.fttcp.stack.tcp.FourTuple;

import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Resets the clients of the connections a takeover did not restore (diverged, or known from
 * incomplete records). An RST at our guess of the client's rcv.nxt (the last acknowledgement
 * logged) resets a client that holds no more than that; one that received more (a download's
 * bytes in flight when the primary died) drops it as outside its window and, waiting for data,
 * would say nothing until its own timeout. So each client is also sent an ACK at an old
 * sequence number ({@link IpHost#probeUnknown}): it answers with its rcv.nxt, which the stack
 * resets exactly. The probe or its answer may be lost, so probes repeat at 200 ms, doubling,
 * nine in all (the last about 51 s after takeover), whether answered or not (once the client is
 * reset, its kernel answers a probe with an RST, which the stack ignores), until a connection of
 * the same four-tuple is seen here. The repeats run on their own daemon thread, taking the host
 * lock for each; a host closed meanwhile may see a few more go out (the south-side wrapper's
 * fence stops them once the service is another's).
 */
final class ClientResets {
    /** @param guess our best guess of the client's rcv.nxt; @param ack what we know the client sent (our rcv.nxt) */
    record Target(FourTuple tuple, int guess, int ack) {
    }

    static final long FIRST_REPEAT_NANOS = 200_000_000L;
    static final int PROBES = 9;

    private ClientResets() {}

    /** Resets and probes every target now (call with the host lock held), and starts the repeats. */
    static void start(List<Target> targets, IpHost ip, HostLoop loop, long now) {
        start(targets, ip, loop, now, FIRST_REPEAT_NANOS);
    }

    /** As {@link #start(List, IpHost, HostLoop, long)}, the repeats from {@code firstRepeatNanos} on (tests). */
    static Thread start(List<Target> targets, IpHost ip, HostLoop loop, long now, long firstRepeatNanos) {
        if (targets.isEmpty()) return null;
        for (Target t : targets) {
            ip.resetUnknown(t.tuple(), t.guess(), now);
            probe(t, ip, now);
        }
        return Thread.ofPlatform().daemon().name("fttcp-client-resets").start(() -> repeat(targets, ip, loop, firstRepeatNanos));
    }

    private static void repeat(List<Target> targets, IpHost ip, HostLoop loop, long firstRepeatNanos) {
        List<Target> left = new java.util.ArrayList<>(targets);
        long interval = firstRepeatNanos;
        for (int i = 1; i < PROBES && !left.isEmpty(); i++, interval *= 2) {
            LockSupport.parkNanos(interval);
            loop.lock().lock();
            try {
                long now = loop.now();
                // A connection of the same four-tuple exists again: the client was reset and came
                // back from the same port. Never probe it again (its next incarnation's TIME-WAIT
                // would answer, and our reset would end it early).
                left.removeIf(t -> ip.find(t.tuple()) != null);
                for (Target t : left) probe(t, ip, now);
            } catch (RuntimeException e) {
                return; // the host is closing: its clients are gone with it
            } finally {
                loop.lock().unlock();
            }
        }
    }

    /** Well below the guess: the client has every byte there, whatever it received beyond our knowledge. */
    private static void probe(Target t, IpHost ip, long now) {
        ip.probeUnknown(t.tuple(), t.guess() - 1, t.ack(), now);
    }
}
