package io.fttcp.roles.logger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;

import static io.fttcp.roles.logger.LoggerTesting.channel;
import static io.fttcp.roles.logger.LoggerTesting.config;
import static io.fttcp.roles.logger.LoggerTesting.dial;
import static io.fttcp.roles.logger.LoggerTesting.freeLoopbackPort;

/**
 * A logger closed while a primary's handshake is still in flight (the connection accepted, the
 * cluster's log not yet opened for it) must not open that log afterwards: it would stay open,
 * its lock held, and the next logger started on the directory in this process (a restart, as
 * the re-join tests do) would fail with "already open in this process". Found while testing a
 * logger lost right after the primary dialed it (LoggerLostBeforeFirstRecordTest).
 */
class LoggerCloseDuringHandshakeTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final ClosedAfterEach toClose = new ClosedAfterEach();
    /** Where the logger listens (another port if the machine's other users took the freed one meanwhile). */
    private InetSocketAddress at;

    @Test
    void aLoggerClosedRightAfterAPrimaryDialedCanBeStartedAgainOnItsDirectory() throws Exception {
        at = freeLoopbackPort();
        for (int round = 0; round < 30; round++) {
            Path logDir = dir.resolve("round-" + round);
            LoggerHost logger = start(logDir);
            // The handshake is sent; the logger closes before, while or after it opens the cluster's log.
            toClose.add(dial(at, "alpha", 1, channel("alpha").newRecordStream(), new Events()));
            logger.close();
            for (int restart = 0; restart < 2; restart++) {
                start(logDir).close(); // throws if the first logger's log of 'alpha' is still open
            }
        }
    }

    private LoggerHost start(Path logDir) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                LoggerHost host = LoggerHost.start(config(logDir, at, LoggerTesting.LOG));
                toClose.add(host);
                return host;
            } catch (IOException e) {
                if (attempt == 5 || !e.getMessage().contains("cannot listen")) throw e;
                at = freeLoopbackPort(); // the machine is shared: the freed port was taken
            }
        }
    }
}
