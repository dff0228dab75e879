package io.fttcp.cli.metrics;

import io.fttcp.roles.metrics.Reading;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Supplier;

/**
 * Serves a role's readings over HTTP in Prometheus's text format ({@code GET /metrics}), read
 * afresh at every scrape. Only these: not the JVM's own metrics (a collector would add them).
 */
public final class MetricsEndpoint implements AutoCloseable {
    private final HTTPServer server;

    private MetricsEndpoint(HTTPServer server) {
        this.server = server;
    }

    /** Listens on {@code at} (port 0: any free one) until closed. */
    public static MetricsEndpoint start(InetSocketAddress at, Supplier<List<Reading>> readings) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register((MultiCollector) () -> ReadingSnapshots.of(readings.get()));
        HTTPServer server = HTTPServer.builder().inetAddress(at.getAddress()).port(at.getPort()).registry(registry).buildAndStart();
        return new MetricsEndpoint(server);
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
