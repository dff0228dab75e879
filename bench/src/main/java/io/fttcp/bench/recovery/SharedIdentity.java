package io.fttcp.bench.recovery;

import io.fttcp.testbed.LoggedService;
import io.fttcp.testbed.Topology;

import java.util.Locale;

/**
 * The services of (d), one logger serving several primaries: service {@code i} answers at
 * 198.18.0.(100 + i) with the virtual MAC of VRID i + 1, and logs as cluster {@code shared<i>}.
 */
final class SharedIdentity {
    private SharedIdentity() {
    }

    static LoggedService.Identity of(int i) {
        if (i < 0 || i > 9) {
            throw new IllegalArgumentException("service index 0..9: " + i);
        }
        String base = Topology.SERVICE_ADDRESS.substring(0, Topology.SERVICE_ADDRESS.lastIndexOf('.') + 1);
        int last = Integer.parseInt(Topology.SERVICE_ADDRESS.substring(base.length())) + i;
        return new LoggedService.Identity(base + last, String.format(Locale.ROOT, "00:00:5e:00:01:%02x", i + 1), "shared" + i);
    }
}
