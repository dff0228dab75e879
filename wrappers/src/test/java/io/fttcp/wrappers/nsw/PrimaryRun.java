package io.fttcp.wrappers.nsw;

import io.fttcp.api.kernel.KernelNetwork;
import io.fttcp.apps.echo.LineEchoServer;
import io.fttcp.apps.http.HttpFileServer;
import io.fttcp.apps.http.HttpServerConfig;
import io.fttcp.replication.record.Record;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * One run of an application on the primary's wrapper over the kernel's TCP on loopback, with
 * concurrent test clients; keeps what the clients saw and what was logged.
 */
final class PrimaryRun {

    interface Server extends AutoCloseable {
        InetSocketAddress address();

        int connectionCount();

        @Override
        void close();
    }

    interface Client {
        TestClients.Session run(InetSocketAddress server, SplittableRandom random) throws Exception;
    }

    interface ServerStarter {
        Server start(LoggingNetwork network) throws Exception;
    }

    final PrimaryRecorder recorder;
    final SpyNetwork spy;
    final LoggingNetwork network;
    final List<TestClients.Session> sessions = new ArrayList<>();
    final InetSocketAddress address;

    private PrimaryRun(PrimaryRecorder recorder, SpyNetwork spy, LoggingNetwork network, InetSocketAddress address) {
        this.recorder = recorder;
        this.spy = spy;
        this.network = network;
        this.address = address;
    }

    static PrimaryRun run(long seed, OutputHashing hashing, boolean acks, ServerStarter starter, Client client, int clients, Consumer<Record> forward)
            throws Exception {
        return run(seed, hashing, acks, starter, client, clients, true, forward, a -> { });
    }

    /**
     * @param parallel    clients run concurrently, or one after another
     * @param onListening called with the server's address before the first client connects
     */
    static PrimaryRun run(long seed, OutputHashing hashing, boolean acks, ServerStarter starter, Client client, int clients, boolean parallel,
                          Consumer<Record> forward, Consumer<InetSocketAddress> onListening) throws Exception {
        PrimaryRecorder recorder = new PrimaryRecorder(forward);
        SpyNetwork spy = new SpyNetwork(new KernelNetwork(), recorder, seed, true, acks);
        LoggingNetwork network = new LoggingNetwork(spy, recorder, recorder, hashing);
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        try (Server server = starter.start(network)) {
            PrimaryRun run = new PrimaryRun(recorder, spy, network, server.address());
            onListening.accept(server.address());
            try (ExecutorService pool = parallel ? Executors.newVirtualThreadPerTaskExecutor() : Executors.newSingleThreadExecutor()) {
                List<Future<TestClients.Session>> futures = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    SplittableRandom r = random.split();
                    futures.add(pool.submit(() -> client.run(server.address(), r)));
                }
                for (Future<TestClients.Session> f : futures) {
                    run.sessions.add(f.get());
                }
            }
            awaitZero(server::connectionCount, "server connections to end");
            return run;
        }
    }

    static void awaitZero(IntSupplier count, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (count.getAsInt() != 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + ": " + count.getAsInt() + " left");
            }
            Thread.sleep(5);
        }
    }

    static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    static ServerStarter echo(InetSocketAddress address) {
        return network -> {
            LineEchoServer s = LineEchoServer.start(network, address);
            return new Server() {
                public InetSocketAddress address() {
                    return s.localAddress();
                }

                public int connectionCount() {
                    return s.connectionCount();
                }

                public void close() {
                    s.close();
                }
            };
        };
    }

    static ServerStarter http(InetSocketAddress address) {
        return http(address, HttpServerConfig.serving(null));
    }

    static ServerStarter http(InetSocketAddress address, HttpServerConfig config) {
        return network -> {
            HttpFileServer s = HttpFileServer.start(network, address, config);
            return new Server() {
                public InetSocketAddress address() {
                    return s.localAddress();
                }

                public int connectionCount() {
                    return s.connectionCount();
                }

                public void close() {
                    s.stop(java.time.Duration.ofSeconds(1));
                }
            };
        };
    }
}
