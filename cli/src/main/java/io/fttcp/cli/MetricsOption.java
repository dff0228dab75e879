package io.fttcp.cli;

import io.fttcp.cli.metrics.MetricsEndpoint;
import io.fttcp.roles.metrics.Reading;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Supplier;

/** The {@code --metrics} option of the commands that run a role: where to serve its numbers for Prometheus. */
final class MetricsOption {
    @Option(names = "--metrics", paramLabel = "ADDR:PORT", converter = ListenAddress.class,
            description = {"Serve this server's counters (protection, LSNs, held output, replay lag, ...) at",
                    "http://ADDR:PORT/metrics in Prometheus's text format. Default: not served."})
    InetSocketAddress listen;

    /** Starts serving if asked (saying where on {@code out}); null if not. */
    MetricsEndpoint serve(PrintWriter out, String who, Supplier<List<Reading>> readings) throws IOException {
        if (listen == null) return null;
        MetricsEndpoint endpoint = MetricsEndpoint.start(listen, readings);
        out.println("fttcp " + who + ": metrics at http://" + listen.getAddress().getHostAddress() + ":" + endpoint.port() + "/metrics");
        out.flush();
        return endpoint;
    }
}
