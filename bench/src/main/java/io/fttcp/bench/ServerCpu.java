package io.fttcp.bench;

import io.fttcp.testbed.WatchedProcess;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The CPU time the server's processes (the unprotected server; the primary and its backup or logger) had
 * used at one moment, to tell what a transfer cost them: on a machine whose cores the client and
 * both replicas share, that cost, not the network, bounds the protected throughput.
 */
public final class ServerCpu {
    private final List<String> names;
    private final List<Optional<Duration>> used;

    private ServerCpu(List<String> names, List<Optional<Duration>> used) {
        this.names = names;
        this.used = used;
    }

    public static ServerCpu now(List<String> names, List<WatchedProcess> processes) {
        if (names.size() != processes.size()) {
            throw new IllegalArgumentException(names + " do not name " + processes.size() + " processes");
        }
        List<Optional<Duration>> used = new ArrayList<>();
        for (WatchedProcess p : processes) {
            used.add(p.cpuTime());
        }
        return new ServerCpu(List.copyOf(names), used);
    }

    /** CPU seconds per 10^9 bytes since {@code before}, all processes together; empty if a process's time is unknown. */
    public OptionalDouble secondsPerGigabyteSince(ServerCpu before, long bytes) {
        double total = 0;
        for (int i = 0; i < used.size(); i++) {
            OptionalDouble s = seconds(before, i);
            if (s.isEmpty()) return OptionalDouble.empty();
            total += s.getAsDouble();
        }
        return OptionalDouble.of(total / (bytes / 1e9));
    }

    /** For a report line: "server CPU 1.90 s/GB (primary 1.31 + backup 0.59)". */
    public String describeSince(ServerCpu before, long bytes) {
        OptionalDouble all = secondsPerGigabyteSince(before, bytes);
        if (all.isEmpty()) return "server CPU unknown";
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "server CPU %.2f s/GB", all.getAsDouble()));
        if (used.size() > 1) {
            s.append(" (");
            for (int i = 0; i < used.size(); i++) {
                if (i > 0) s.append(" + ");
                s.append(String.format(Locale.ROOT, "%s %.2f", names.get(i), seconds(before, i).getAsDouble() / (bytes / 1e9)));
            }
            s.append(')');
        }
        return s.toString();
    }

    private OptionalDouble seconds(ServerCpu before, int i) {
        if (before.used.size() != used.size() || used.get(i).isEmpty() || before.used.get(i).isEmpty()) return OptionalDouble.empty();
        return OptionalDouble.of((used.get(i).get().toNanos() - before.used.get(i).get().toNanos()) / 1e9);
    }
}
