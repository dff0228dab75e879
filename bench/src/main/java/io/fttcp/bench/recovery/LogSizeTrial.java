package io.fttcp.bench.recovery;

import java.util.Optional;

/**
 * One recovery of (a): a live connection with {@code logMib} MiB of client bytes in the log, the
 * primary killed, a server recovering it.
 *
 * @param logMib          client bytes the connection had exchanged, MiB
 * @param recovery        who recovered: a standby on a spare host, or the primary restarted in place
 * @param recoveryNanos   from the kill to the first echo the client received after it (its flow, {@link EchoFlow}), -1 if none came
 * @param server          what the recovering server logged, if it did
 * @param breakdown       where the time went, if the server's lines tell
 * @param intact          the exchange before and the flow across the failure came back byte for byte
 */
record LogSizeTrial(int logMib, Recovery recovery, long recoveryNanos, Optional<RecoveryLog> server, Optional<RecoveryBreakdown> breakdown,
                    boolean intact) {

    /** Who recovers the primary's connections. */
    enum Recovery {
        STANDBY("standby (spare host)"), RESTART_IN_PLACE("restart in place (new JVM)");

        private final String label;

        Recovery(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }

    double recoveryMillis() {
        return recoveryNanos / 1e6;
    }

    /** Logged MiB over the fetch and the drain: how fast the log is replayed; empty without the server's lines. */
    Optional<Double> replayMibPerSecond() {
        return server.filter(s -> s.replayMicros() > 0).map(s -> logMib / (s.replayMicros() / 1e6));
    }
}
