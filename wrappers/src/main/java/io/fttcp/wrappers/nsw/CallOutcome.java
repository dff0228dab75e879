package io.fttcp.wrappers.nsw;

import io.fttcp.api.ConnectionResetException;

import java.io.IOException;
import java.net.SocketTimeoutException;

/**
 * Failures of read() and write() are results too (a read timeout or a reset happens at a
 * moment the backup cannot know), so they are logged as negative counts in READ and WRITE
 * records: -1 stays "end of stream" for reads; below it, the failure codes here. A
 * {@link java.nio.channels.ClosedChannelException} is not logged: it follows from the
 * application's own close.
 */
final class CallOutcome {

    static final int TIMED_OUT = -2;
    static final int RESET = -3;
    static final int FAILED = -4;

    private CallOutcome() {
    }

    static int code(IOException e) {
        if (e instanceof SocketTimeoutException) {
            return TIMED_OUT;
        }
        if (e instanceof ConnectionResetException) {
            return RESET;
        }
        return FAILED;
    }

    /** The exception the backup throws where the primary's call failed with {@code code}. */
    static IOException replayed(int code, String what) {
        return switch (code) {
            case TIMED_OUT -> new SocketTimeoutException(what + " timed out (as on the primary)");
            case RESET -> new ConnectionResetException(what + ": connection reset (as on the primary)");
            default -> new IOException(what + " failed (as on the primary)");
        };
    }
}
