package io.fttcp.cli;

/** Log records as one line each, with a millisecond timestamp: what an operator greps, and what the tests read. */
final class OneLineLogging {
    private OneLineLogging() {}

    /**
     * Sets the format and initializes both logging systems now, at start-up: left lazy, their
     * first use (class loading, service lookup, configuration) falls on the replication channel's
     * reader thread right after the handshake, which then reads no heartbeat for long enough, on
     * a loaded machine, for the peer to be suspected.
     */
    static void install() {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        }
        java.util.logging.Logger.getLogger("fttcp").isLoggable(java.util.logging.Level.INFO);
        new java.util.logging.SimpleFormatter().format(new java.util.logging.LogRecord(java.util.logging.Level.INFO, "warm-up"));
        org.slf4j.LoggerFactory.getLogger(OneLineLogging.class).isInfoEnabled();
    }
}
