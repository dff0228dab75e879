package io.fttcp.roles.backup;

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
 * was itself stalled): a connection to its replication port is refused (nothing listens: the
 * process is gone), or taken and closed at once by a live primary (which takes one backup
 * only), or not answered (the host is unreachable, or the process frozen: the kernel may
 * complete the handshake, but nobody reads).
 */
final class PrimaryProbe {
    enum Answer { DEAD, ALIVE, NO_ANSWER }

    private PrimaryProbe() {}

    static Answer ask(InetSocketAddress primary, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Socket s = new Socket()) {
            s.connect(primary, (int) Math.max(1, timeout.toMillis()));
            int left = (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            s.setSoTimeout(left);
            InputStream in = s.getInputStream();
            in.read(); // end of stream, a reset, or a handshake: a process answered
            return Answer.ALIVE;
        } catch (ConnectException e) {
            return e.getMessage() != null && e.getMessage().contains("refused") ? Answer.DEAD : Answer.NO_ANSWER;
        } catch (SocketTimeoutException e) {
            return Answer.NO_ANSWER;
        } catch (IOException e) {
            // Reset after the connection was taken: a live process closed it.
            return e.getMessage() != null && e.getMessage().toLowerCase().contains("reset") ? Answer.ALIVE : Answer.NO_ANSWER;
        }
    }
}
