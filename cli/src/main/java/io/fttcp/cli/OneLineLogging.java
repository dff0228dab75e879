package io.fttcp.cli;

/** Log records as one line each, with a millisecond timestamp: what an operator greps, and what the tests read. */
final class OneLineLogging {
    private OneLineLogging() {}

    static void install() {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        }
    }
}
