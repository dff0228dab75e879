package io.fttcp.testbed;

/** Building, using or tearing down the test network failed; the message says which command and why. */
public final class TopologyException extends RuntimeException {
    public TopologyException(String message) {
        super(message);
    }

    public TopologyException(String message, Throwable cause) {
        super(message, cause);
    }
}
