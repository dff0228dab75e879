package io.fttcp.api.kernel;

import io.fttcp.api.ConnectionResetException;

import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;

/** Maps the JDK's kernel-socket exceptions onto the exceptions the socket interface documents. */
final class KernelErrors {

    private KernelErrors() {
    }

    /**
     * The JDK reports a reset as a plain {@link SocketException} whose message is the kernel's
     * (ECONNRESET, EPIPE after a reset, ECONNABORTED); the interface promises a
     * {@link ConnectionResetException}.
     */
    static IOException translate(IOException e, String what) {
        if (e instanceof ClosedChannelException || e instanceof ConnectionResetException) {
            return e;
        }
        if (e instanceof SocketException && isReset(e.getMessage())) {
            ConnectionResetException reset = new ConnectionResetException(what + ": connection reset (" + e.getMessage() + ")");
            reset.initCause(e);
            return reset;
        }
        return e;
    }

    private static boolean isReset(String message) {
        if (message == null) {
            return false;
        }
        String m = message.toLowerCase(java.util.Locale.ROOT);
        return m.contains("connection reset") || m.contains("broken pipe") || m.contains("connection aborted");
    }
}
