package io.fttcp.apps;

import io.fttcp.api.AppRuntime;
import io.fttcp.api.ListeningSocket;
import io.fttcp.api.Network;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;
import io.fttcp.api.kernel.KernelNetwork;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/** The kernel's sockets with a runtime of the test's choosing: what a backup's replayed clock and seeds look like to the application. */
public final class KernelNetworkWithRuntime implements Network {

    private final KernelNetwork kernel = new KernelNetwork();
    private final AppRuntime runtime;

    public KernelNetworkWithRuntime(AppRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public ListeningSocket listen(InetSocketAddress local, int backlog) throws IOException {
        return kernel.listen(local, backlog);
    }

    @Override
    public StreamSocket connect(InetSocketAddress remote) throws IOException {
        return kernel.connect(remote);
    }

    @Override
    public StreamSocket openConnection(InetSocketAddress remote) throws IOException {
        return kernel.openConnection(remote);
    }

    @Override
    public Poller openPoller() throws IOException {
        return kernel.openPoller();
    }

    @Override
    public AppRuntime runtime() {
        return runtime;
    }

    /** Clocks that are not the machine's: nanoTime advances {@code nanosPerCall} at each call, the wall clock stands still, seeds count up. */
    public record ScriptedRuntime(long nanosPerCall, long wallClockMillis, AtomicLong nanos, AtomicLong seeds) implements AppRuntime {

        public ScriptedRuntime(long nanosPerCall, long wallClockMillis) {
            this(nanosPerCall, wallClockMillis, new AtomicLong(), new AtomicLong(1000));
        }

        @Override
        public long nanoTime() {
            return nanos.addAndGet(nanosPerCall);
        }

        @Override
        public long currentTimeMillis() {
            return wallClockMillis;
        }

        @Override
        public long randomSeed() {
            return seeds.incrementAndGet();
        }
    }
}
