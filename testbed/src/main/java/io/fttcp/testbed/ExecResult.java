package io.fttcp.testbed;

import java.util.List;

/** The outcome of a command run to completion; {@code output} is stdout and stderr merged. */
public record ExecResult(List<String> command, int exitCode, String output) {

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** This result, or a {@link TopologyException} naming the command, its exit code and output. */
    public ExecResult requireSuccess() {
        if (exitCode != 0) {
            throw new TopologyException("command failed (exit " + exitCode + "): " + String.join(" ", command)
                    + (output.isBlank() ? "" : "\n" + output.strip()));
        }
        return this;
    }
}
