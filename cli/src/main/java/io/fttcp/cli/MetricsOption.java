package io.fttcp.cli;

import io.fttcp.cli.metrics.MetricsEndpoint;
import io.fttcp.roles.metrics.Reading;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Supplier;

/** The {@code --metrics} option of the commands that run a role: where to serve its numbers for Prometheus. */
final class MetricsOption {
    @Option(names = "--metrics", paramLabel = "ADDR:PORT", converter = ListenAddress.class,
            description = {"Serve this server's counters (protection, LSNs, held output, replay lag, TAP, JVM: GC pauses, memory, ...)",
                    "at http://ADDR:PORT/metrics in Prometheus's text format. Default: not served."})
    InetSocketAddress listen;

    private volatile Supplier<List<Reading>> source = List::of;
    private MetricsEndpoint endpoint;

    /**
     * Binds the endpoint if asked, before the server starts (an address in use is then an error
     * of the command line, not a server half started); it serves nothing until {@link #show}.
     *
     * @return false after printing why it could not bind
     */
    boolean bind(CommandSpec spec, String who) {
        if (listen == null) return true;
        try {
            endpoint = MetricsEndpoint.start(listen, () -> source.get());
            return true;
        } catch (IOException e) {
            spec.commandLine().getErr().println("fttcp " + who + ": cannot serve metrics at " + listen + ": " + e.getMessage());
            return false;
        }
    }

    /** Serves {@code readings} from now on (saying where on {@code out}), if bound. */
    void show(PrintWriter out, String who, Supplier<List<Reading>> readings) {
        if (endpoint == null) return;
        source = readings;
        out.println("fttcp " + who + ": metrics at http://" + listen.getAddress().getHostAddress() + ":" + endpoint.port() + "/metrics");
        out.flush();
    }
}
