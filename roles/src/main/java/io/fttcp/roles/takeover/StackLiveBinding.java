package io.fttcp.roles.takeover;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.StreamSocket;
import io.fttcp.stack.socket.StackNetwork;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpCheckpoint;
import io.fttcp.wrappers.nsw.ConnectionImage;
import io.fttcp.wrappers.nsw.LiveBinding;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backup's stack as the north-side wrapper's live side at takeover: each connection is
 * materialized ({@link Materializer}) and restored with the repair API; nothing is sent yet
 * (the caller resumes them all once the service address is ours, {@link #restored()}).
 * Connections that cannot be restored (diverged, reset, contradictory records) are listed in
 * {@link #refused()} with the reason: their clients must be reset.
 */
public final class StackLiveBinding implements LiveBinding {
    private final StackNetwork network;
    private final long tsValAgeNanos;
    private final java.util.function.BiConsumer<ConnectionImage, TcpCheckpoint> onRestored;
    private final List<FourTuple> restored = new ArrayList<>();
    private final Map<FourTuple, String> refused = new LinkedHashMap<>();
    /** The clients to reset (see {@link #toReset()}). */
    private final List<ClientResets.Target> toReset = new ArrayList<>();
    private int endedClientsReset;

    /**
     * @param tsValAgeNanos an upper bound of how long ago the backup's knowledge of the primary's
     *                      timestamps was current (any larger bound is safe too)
     * @param onRestored told of every connection restored, right after the stack took it and
     *                   before it sends anything (host lock held): the south-side wrapper adopts it
     */
    public StackLiveBinding(StackNetwork network, long tsValAgeNanos, java.util.function.BiConsumer<ConnectionImage, TcpCheckpoint> onRestored) {
        this.network = network;
        this.tsValAgeNanos = tsValAgeNanos;
        this.onRestored = onRestored;
    }

    @Override
    public StackNetwork network() {
        return network;
    }

    @Override
    public StreamSocket restore(ConnectionImage image) {
        TcpCheckpoint checkpoint = checkpoint(image);
        return checkpoint == null ? null : intoStack(image, () -> {
            StreamSocket socket = network.restore(checkpoint);
            onRestored.accept(image, checkpoint);
            return socket;
        });
    }

    @Override
    public boolean restoreUnaccepted(ConnectionImage image, ListeningSocket listener) {
        TcpCheckpoint checkpoint = checkpoint(image);
        if (checkpoint == null) return false;
        intoStack(image, () -> {
            TcpCheckpoint queued = checkpoint.withReceiveQueue(image.unreadClientBytes());
            network.restoreIntoBacklog(queued, listener);
            onRestored.accept(image, queued);
            return null;
        });
        return !refused.containsKey(image.tuple());
    }

    @Override
    public void resetClient(ConnectionImage image) {
        ClientResets.Target client = ClientResets.Target.of(image);
        if (client == null) return;
        toReset.add(client);
        endedClientsReset++;
    }

    /** How many of {@link #toReset()} are clients of connections the old primary's stack ended ({@link #resetClient}). */
    int endedClientsReset() {
        return endedClientsReset;
    }

    @Override
    public void reset(StreamSocket live) {
        network.abort(live);
    }

    /** Runs one connection's restore: one the stack refuses must not stop the takeover of the others. */
    private StreamSocket intoStack(ConnectionImage image, java.util.function.Supplier<StreamSocket> restore) {
        try {
            StreamSocket socket = restore.get();
            restored.add(image.tuple());
            return socket;
        } catch (RuntimeException e) {
            refuse(image, "the stack refused its checkpoint: " + e.getMessage());
            return null;
        }
    }

    private TcpCheckpoint checkpoint(ConnectionImage image) {
        try {
            return Materializer.checkpoint(image, network.host().config().tcp().withMss(network.host().config().mss()), tsValAgeNanos, network.loop().now());
        } catch (RuntimeException e) {
            refuse(image, e.getMessage());
            return null;
        }
    }

    private void refuse(ConnectionImage image, String why) {
        refused.put(image.tuple(), why);
        ClientResets.Target client = ClientResets.Target.of(image);
        if (client != null) toReset.add(client);
    }

    /** Connections restored, in order. */
    public List<FourTuple> restored() {
        return restored;
    }

    /** The clients to reset: those of refused connections, and of connections the old primary's stack ended, whose sequence space is known. */
    List<ClientResets.Target> toReset() {
        return toReset;
    }

    /** Connections not restored, with why. */
    public Map<FourTuple, String> refused() {
        return refused;
    }
}
