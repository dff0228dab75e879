package io.fttcp.cli;

import io.fttcp.roles.primary.PrimaryHost;
import io.fttcp.roles.primary.Protection;

import java.io.PrintWriter;
import java.time.Duration;

/**
 * What every command serving as a primary prints: each change of protection with the counters
 * (so an operator, and the tests, see at once when the service runs unprotected), and the
 * step-down that ends it (exit code 3).
 */
final class PrimaryWatch {
    static final int STEPPED_DOWN = 3;
    private static final Duration STATUS_POLL = Duration.ofMillis(100);

    private PrimaryWatch() {}

    static int untilSteppedDown(PrintWriter out, String who, PrimaryHost host) throws InterruptedException {
        Protection shown = null;
        String why;
        while ((why = host.awaitStepDown(STATUS_POLL)) == null) {
            Protection now = host.protection();
            if (now != shown) {
                out.println("fttcp " + who + ": protection " + now + "; status " + host.status());
                out.flush();
                shown = now;
            }
        }
        out.println("fttcp " + who + ": stepped down: " + why);
        out.println("fttcp " + who + ": status " + host.status());
        out.flush();
        return STEPPED_DOWN;
    }
}
