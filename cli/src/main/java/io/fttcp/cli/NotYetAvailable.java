package io.fttcp.cli;

import java.io.PrintWriter;

/** The exit code and message of a subcommand whose implementation has not landed yet. */
final class NotYetAvailable {

    static final int EXIT_CODE = 2;

    private NotYetAvailable() {
    }

    static int report(PrintWriter err, String command, String what) {
        err.println("fttcp " + command + ": not yet available (" + what + "); it lands with the rest of issue 2.");
        return EXIT_CODE;
    }
}
