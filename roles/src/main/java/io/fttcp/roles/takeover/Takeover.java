package io.fttcp.roles.takeover;

import io.fttcp.link.ethernet.EthernetInterface;
import io.fttcp.stack.host.Connection;
import io.fttcp.stack.host.IpHost;
import io.fttcp.stack.runtime.HostLoop;
import io.fttcp.stack.socket.StackNetwork;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpCheckpoint;
import io.fttcp.wrappers.nsw.LiveBinding;
import io.fttcp.wrappers.nsw.ReplayNetwork;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The backup becomes the server (DESIGN.md §4), once it has decided the primary is dead and
 * every record it received is applied:
 * <ol>
 *   <li>let the application consume every logged determinant (bounded by {@code drainLimitNanos});</li>
 *   <li>with the host lock held, so that no client packet is handled half-way: add the service
 *       address to the stack, switch the north-side wrapper to live, restoring every connection
 *       ({@link StackLiveBinding});</li>
 *   <li>answer ARP for the service address and announce it (gratuitous ARP, the virtual MAC);</li>
 *   <li>resume every restored connection at once: retransmit now, and four ACKs (the last three
 *       duplicates) so a client with data outstanding retransmits now too; reset the clients of
 *       connections that could not be restored, and of those known only by name ({@link ClientResets}).</li>
 * </ol>
 */
public final class Takeover {
    /** ACKs sent by each restored connection: one, plus three duplicates (fast retransmit). */
    static final int RESUME_ACKS = 4;
    /** Gratuitous ARPs right after takeover, and their spacing. */
    static final int ANNOUNCEMENTS = 3;
    static final long ANNOUNCEMENT_INTERVAL_NANOS = 100_000_000L;

    /**
     * What happened.
     *
     * @param drainNanos     time the application took to consume the logged determinants
     * @param drained        whether it consumed them all (false: the drain limit was hit)
     * @param restored       connections restored
     * @param refused        connections not restored, with why (their clients are reset)
     * @param totalNanos     time from the start of the takeover to the resumed connections
     */
    /**
     * @param endedClientsReset the clients of connections the old primary's stack had ended, reset
     *                          in case its RST never reached them ({@code LiveBinding.resetClient})
     */
    public record Report(long drainNanos, boolean drained, int restored, Map<FourTuple, String> refused, int endedClientsReset, long lockNanos,
                         long restoreNanos, long announceNanos, long resumeNanos, long totalNanos) {
        @Override
        public String toString() {
            return "restored " + restored + " connection(s)" + (refused.isEmpty() ? "" : ", refused " + refused)
                    + (endedClientsReset == 0 ? "" : ", reset the clients of " + endedClientsReset + " connection(s) the old primary's stack had ended")
                    + "; drain " + drainNanos / 1000 + " us" + (drained ? "" : " (LIMIT HIT: the application did not consume every determinant)")
                    + ", lock " + lockNanos / 1000 + " us, restore " + restoreNanos / 1000 + " us, announce " + announceNanos / 1000 + " us, resume " + resumeNanos / 1000
                    + " us, total " + totalNanos / 1000 + " us";
        }
    }

    private Takeover() {}

    /**
     * The takeover of a replica that goes on as a protected primary: {@code decorate} wraps the
     * stack's binding (so the application's sockets log from now on), and {@code onRestored}
     * hears of every connection restored before it sends anything (so the south-side wrapper
     * protects it). {@code unrecorded} are the clients of connections the backup knows of but
     * holds no records of (named by the roster of a catch-up that broke off): they are reset too.
     */
    public static Report run(ReplayNetwork replay, StackNetwork network, EthernetInterface ethernet, int serviceAddress,
                             long tsValAgeNanos, long drainLimitNanos, List<ClientResets.Target> unrecorded,
                             java.util.function.Function<StackLiveBinding, LiveBinding> decorate,
                             java.util.function.BiConsumer<io.fttcp.wrappers.nsw.ConnectionImage, TcpCheckpoint> onRestored) throws IOException {
        HostLoop loop = network.loop();
        long start = loop.now();
        boolean drained = drain(replay, loop, start + drainLimitNanos);
        long drainNanos = loop.now() - start;
        IpHost ip = network.host();
        ReentrantLock lock = loop.lock();
        StackLiveBinding binding = new StackLiveBinding(network, tsValAgeNanos + drainNanos, onRestored);
        long restoreStart;
        long beforeLock = loop.now();
        long restoreNanos;
        long announceNanos;
        long resumeNanos;
        lock.lock();
        try {
            restoreStart = loop.now();
            ip.addAddress(serviceAddress);
            replay.goLive(decorate.apply(binding));
            long now = loop.now();
            restoreNanos = now - restoreStart;
            ethernet.addAddress(serviceAddress);
            ethernet.sendGratuitousArp(serviceAddress, ANNOUNCEMENTS, ANNOUNCEMENT_INTERVAL_NANOS, now);
            announceNanos = loop.now() - now;
            for (FourTuple t : binding.restored()) {
                Connection c = ip.find(t);
                if (c != null) c.resume(RESUME_ACKS, now);
            }
            resumeNanos = loop.now() - now - announceNanos;
            // Diverged or unrestorable connections are reset now, not when the client next sends
            // (a client waiting for data would wait for its own timeout).
            List<ClientResets.Target> targets = new ArrayList<>(binding.toReset());
            targets.addAll(unrecorded);
            ClientResets resets = new ClientResets(targets);
            resets.begin(ip, now);
            if (resets.nextRoundAt() != Long.MAX_VALUE) repeat(resets, ip, loop);
            loop.timersChanged();
        } finally {
            lock.unlock();
        }
        return new Report(drainNanos, drained, binding.restored().size(), binding.refused(), binding.endedClientsReset(), restoreStart - beforeLock,
                restoreNanos, announceNanos, resumeNanos, loop.now() - start);
    }

    /**
     * Runs the resets' later rounds on a daemon thread of its own, taking the host lock for each
     * (a host closed meanwhile may see a probe or two more; the south-side wrapper's fence stops
     * them once the service is another's).
     */
    static Thread repeat(ClientResets resets, IpHost ip, HostLoop loop) {
        return Thread.ofPlatform().daemon().name("fttcp-client-resets").start(() -> {
            for (long at = resets.nextRoundAt(); at != Long.MAX_VALUE; at = resets.nextRoundAt()) {
                LockSupport.parkNanos(Math.max(0, at - loop.now()));
                loop.lock().lock();
                try {
                    resets.round(ip, loop.now());
                } catch (RuntimeException e) {
                    return; // the host is closing: its clients are gone with it
                } finally {
                    loop.lock().unlock();
                }
            }
        });
    }

    private static boolean drain(ReplayNetwork replay, HostLoop loop, long deadline) {
        while (replay.pendingDeterminants() > 0) {
            if (loop.now() - deadline > 0) return false;
            LockSupport.parkNanos(100_000);
        }
        return true;
    }
}
