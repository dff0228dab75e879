package io.fttcp.roles;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * Asks the primary's host whether the primary process is alive, when the replication channel
 * ended in a way that does not say (closed or reset without a word, or seen by a backup that
 * was itself stalled): a connection to its replication port (a backup's question) or its
 * liveness port (a logger's) is refused (nothing listens: the process is gone), or taken and
 * closed at once by a live primary (which takes one backup only, and answers every liveness
 * question so), or not answered (the host is unreachable, or the process frozen: the kernel
 * may complete the handshake, but nobody reads).
 *
 * <p>A connection the kernel completed and then reset, unread, sat in the listening socket's
 * queue when that socket closed: the process is exiting (a SIGKILLed process's kernel closes
 * its sockets one by one, and a probe sent between the replication connection's reset and the
 * listener's close waits in the listener's queue), or closed its listener otherwise; a live primary
 * answers by closing, or with a handshake, never with a reset of a connection it never
 * accepted. So the question is asked again: by then the listener is gone and the connection
 * refused. Seen once in 20 benchmark kills: the probe landed between the two closes and the
 * backup, told the dead primary was alive, stopped.
 */
public final class PrimaryProbe {
    public enum Answer { DEAD, ALIVE, NO_ANSWER }

    /** How often a reset is met with another question before it counts as no answer. */
    static final int RESETS_BEFORE_NO_ANSWER = 5;
    private static final long RESET_PAUSE_NANOS = 1_000_000;

    private PrimaryProbe() {}

    public static Answer ask(InetSocketAddress primary, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int resets = 0; ; resets++) {
            Answer a = askOnce(primary, deadline);
            if (a != null) return a;
            if (resets + 1 >= RESETS_BEFORE_NO_ANSWER || deadline - System.nanoTime() <= RESET_PAUSE_NANOS) return Answer.NO_ANSWER;
            java.util.concurrent.locks.LockSupport.parkNanos(RESET_PAUSE_NANOS);
        }
    }

    /** One question; null when the connection was reset unread (ask again). */
    private static Answer askOnce(InetSocketAddress primary, long deadline) {
        try (Socket s = new Socket()) {
            s.connect(primary, millisLeft(deadline));
            s.setSoTimeout(millisLeft(deadline));
            InputStream in = s.getInputStream();
            in.read(); // end of stream or a handshake: a process answered
            return Answer.ALIVE;
        } catch (ConnectException e) {
            return e.getMessage() != null && e.getMessage().contains("refused") ? Answer.DEAD : Answer.NO_ANSWER;
        } catch (SocketTimeoutException e) {
            return Answer.NO_ANSWER;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().toLowerCase().contains("reset") ? null : Answer.NO_ANSWER;
        }
    }

    private static int millisLeft(long deadline) {
        return (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
    }
}
