package io.fttcp.roles.takeover;

import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.stack.host.IpHost;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.wrappers.nsw.ConnectionImage;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Resets the clients of the connections a takeover did not restore (diverged, or known from
 * incomplete records, or ended by the old primary's stack, whose RST may not have reached its
 * client: {@code LiveBinding.resetClient}). An RST at our guess of the client's rcv.nxt (the last
 * acknowledgement logged) resets a client that holds no more than that; one that received more (a
 * download's bytes in flight when the primary died) drops it as outside its window and, waiting
 * for data, would say nothing until its own timeout. So each client is also sent an ACK at an old
 * sequence number ({@link IpHost#probeUnknown}): it answers with its rcv.nxt, which the stack
 * resets exactly. The probe or its answer may be lost, so probes repeat at 200 ms, doubling, nine
 * in all (the last about 51 s after takeover), whether answered or not (once the client is reset,
 * its kernel answers a probe with an RST, which the stack ignores), until a connection of the same
 * four-tuple is seen here (its client came back from the same port: its next incarnation's
 * TIME-WAIT would answer a probe, and our reset would end it early).
 *
 * <p>Sans I/O: the caller holds the host lock for {@link #begin} and each {@link #round}, and
 * calls a round when {@link #nextRoundAt} says (the takeover from a thread of its own, the
 * simulation from its scheduler).
 */
public final class ClientResets {
    /**
     * @param guess our best guess of the client's rcv.nxt (the RST's sequence number)
     * @param ack   what we know the client sent (our rcv.nxt)
     */
    public record Target(FourTuple tuple, int guess, int ack) {
        /** The client of a connection not restored, from what the backup knows of it; null if its sequence space is unknown. */
        public static Target of(ConnectionImage image) {
            return image.connect() == null ? null : new Target(image.tuple(), image.sndUna(), image.rcvNxt());
        }

        /**
         * The client of a connection named by a catch-up's roster whose records never arrived: we
         * know only its initial sequence numbers, so the RST (at our first byte) resets a client
         * we never sent data, and the probe (at our ISN, below anything the client holds) draws
         * the others' answers.
         */
        public static Target of(RosterEntry entry) {
            return new Target(entry.tuple(), entry.serverIsn() + 1, entry.clientIsn() + 1);
        }
    }

    public static final long FIRST_REPEAT_NANOS = 200_000_000L;
    public static final int PROBES = 9;

    private final List<Target> left;
    private final long firstRepeatNanos;
    private long interval;
    private long nextAt = Long.MAX_VALUE;
    private int rounds;

    /** @param targets the clients to reset; of several for one four-tuple, the first (the best known) */
    public ClientResets(List<Target> targets) {
        this(targets, FIRST_REPEAT_NANOS);
    }

    /** With the repeats from {@code firstRepeatNanos} on (tests). */
    ClientResets(List<Target> targets, long firstRepeatNanos) {
        Set<FourTuple> named = new HashSet<>();
        this.left = new ArrayList<>();
        for (Target t : targets) {
            if (named.add(t.tuple())) left.add(t);
        }
        this.firstRepeatNanos = firstRepeatNanos;
    }

    /**
     * At takeover: an RST at each client's guess and the first probe (none to a four-tuple the
     * stack has a connection of: restored, or its client already back).
     */
    public void begin(IpHost ip, long now) {
        left.removeIf(t -> ip.find(t.tuple()) != null);
        for (Target t : left) {
            ip.resetUnknown(t.tuple(), t.guess(), now);
            probe(t, ip, now);
        }
        rounds = 1;
        interval = firstRepeatNanos;
        nextAt = left.isEmpty() ? Long.MAX_VALUE : now + interval;
    }

    /** When the next round is due; Long.MAX_VALUE once there is none. */
    public long nextRoundAt() {
        return nextAt;
    }

    /** A round, if due: clients whose four-tuple is back are left alone from now on, the others probed again. */
    public void round(IpHost ip, long now) {
        if (now < nextAt) return;
        left.removeIf(t -> ip.find(t.tuple()) != null);
        for (Target t : left) probe(t, ip, now);
        rounds++;
        interval *= 2;
        nextAt = rounds >= PROBES || left.isEmpty() ? Long.MAX_VALUE : now + interval;
    }

    /** Well below the guess: the client has every byte there, whatever it received beyond our knowledge. */
    private static void probe(Target t, IpHost ip, long now) {
        ip.probeUnknown(t.tuple(), t.guess() - 1, t.ack(), now);
    }
}
