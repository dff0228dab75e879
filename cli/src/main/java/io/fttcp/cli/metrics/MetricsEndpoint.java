package io.fttcp.cli.metrics;

import io.fttcp.roles.metrics.Reading;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Serves a role's readings over HTTP in Prometheus's text format ({@code GET /metrics}), read
 * afresh at every scrape, with the JVM's own metrics (garbage collection pauses, memory pools,
 * threads, CPU time: the Prometheus client's JVM instrumentation): a pause of ours is one
 * cause of a late heartbeat, and an operator should be able to see it.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private final HTTPServer server;

    private MetricsEndpoint(HTTPServer server) {
        this.server = server;
    }

    /** Exchanges served at once; a scrape takes milliseconds, so more at once are clients that stall. */
    static final int MAX_EXCHANGES = 64;
    /** The longest a request may take to arrive and its answer to be taken. */
    static final Duration EXCHANGE_LIMIT = Duration.ofSeconds(10);

    /** Listens on {@code at} (port 0: any free one) until closed. */
    public static MetricsEndpoint start(InetSocketAddress at, Supplier<List<Reading>> readings) throws IOException {
        return start(at, readings, EXCHANGE_LIMIT);
    }

    static MetricsEndpoint start(InetSocketAddress at, Supplier<List<Reading>> readings, Duration exchangeLimit) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register((MultiCollector) () -> ReadingSnapshots.of(readings.get()));
        JvmMetrics.builder().register(registry);
        BoundedExchanges exchanges = new BoundedExchanges(MAX_EXCHANGES, exchangeLimit);
        try {
            HTTPServer server = HTTPServer.builder().inetAddress(at.getAddress()).port(at.getPort()).registry(registry)
                    .executorService(exchanges).buildAndStart();
            return new MetricsEndpoint(server);
        } catch (IOException | RuntimeException e) {
            exchanges.shutdown();
            throw e;
        }
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
