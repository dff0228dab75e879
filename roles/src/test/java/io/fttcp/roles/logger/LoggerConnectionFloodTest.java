package io.fttcp.roles.logger;

import io.fttcp.replication.channel.PrimaryChannel;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.stream.RecordStream;
import io.fttcp.roles.metrics.Reading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.fttcp.roles.logger.LoggerTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Connections that never say who they are (a port scan, a misconfigured client, an attacker)
 * cannot take the logger's threads, and the logger goes on serving its primaries: at most so
 * many are in their handshake (in all, and from one host), the others are closed at once and
 * counted; a connection whose channel cannot start (the process out of threads) is closed and
 * counted, and the logger goes on accepting.
 */
class LoggerConnectionFloodTest {
    /** Long, so that no connection let into its handshake leaves it during a test: what is counted stays put. */
    private static final Duration HANDSHAKE = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    @RegisterExtension
    final ClosedAfterEach toClose = new ClosedAfterEach();

    private LoggerConfig config(InetSocketAddress at, int maxHandshakes, int perHost) {
        LoggerConfig base = LoggerTesting.config(dir, at, LOG);
        return new LoggerConfig(dir, at, LOG, base.channel().withHandshakeTimeout(HANDSHAKE), base.retention())
                .withMaxHandshakes(maxHandshakes, perHost);
    }

    /** A connection from {@code host} (a loopback address: 127.0.0.0/8 is all ours) that says nothing. */
    private SocketChannel silent(String host, InetSocketAddress logger) throws IOException {
        SocketChannel s = toClose.add(SocketChannel.open());
        s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
        s.connect(logger);
        return s;
    }

    /** Whether the logger ended the connection (it reads an end or a reset) within {@code millis}. */
    private static boolean endedWithin(SocketChannel s, int millis) throws IOException {
        s.socket().setSoTimeout(millis);
        InputStream in = s.socket().getInputStream();
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException open) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static double reading(LoggerHost host, String name) {
        return host.readings().stream().filter(r -> r.name().equals(name)).mapToDouble(Reading::value).findFirst()
                .orElseThrow(() -> new AssertionError("no reading " + name));
    }

    /** The primary's records arrive and are acknowledged: the logger serves it. */
    private void assertServed(InetSocketAddress at, LoggerHost host, String cluster) throws Exception {
        Events events = new Events();
        RecordStream stream = channel(cluster).newRecordStream();
        PrimaryChannel primary = toClose.add(dial(at, cluster, 1, stream, events));
        events.connected.get(5, TimeUnit.SECONDS);
        List<Record> records = Traffic.serverRecords(new SplittableRandom(1), 10, 0.5, 1);
        long last = 0;
        for (Record r : records) last = primary.append(r);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (primary.stableLsn() < last) {
            if (System.nanoTime() - end > 0) fail("the logger did not acknowledge the primary's records: stable " + primary.stableLsn() + " of " + last);
            Thread.sleep(5);
        }
        assertEquals(last, durableLsn(host, cluster));
    }

    @Test
    void oneHostFloodingThePortGetsItsShareOfHandshakesTheRestClosedAtOnceAndAPrimaryIsServedMeanwhile() throws Exception {
        InetSocketAddress at = freeLoopbackPort();
        LoggerHost host = toClose.add(LoggerHost.start(config(at, 8, 4)));
        List<SocketChannel> flood = new ArrayList<>();
        for (int i = 0; i < 20; i++) flood.add(silent("127.0.0.2", at));
        await("the logger to take or refuse every connection", 5000,
                () -> reading(host, "fttcp_logger_refused_host_handshakes_full") + reading(host, "fttcp_logger_handshakes_pending") >= 20);
        assertEquals(16, reading(host, "fttcp_logger_refused_host_handshakes_full"), "every connection past the host's 4 is refused");
        assertEquals(4, reading(host, "fttcp_logger_handshakes_pending"));
        assertEquals(0, reading(host, "fttcp_logger_refused_handshakes_full"));
        int ended = 0;
        for (SocketChannel s : flood) if (endedWithin(s, 200)) ended++;
        assertEquals(16, ended, "the refused connections were closed at once, not at their handshake deadline (30 s)");

        assertServed(at, host, "alpha"); // from 127.0.0.1, while the flood holds its share
        assertEquals(4, reading(host, "fttcp_logger_handshakes_pending"), "the flood's connections were still in their handshake");
    }

    @Test
    void manyHostsTogetherGetNoMoreHandshakesThanTheLoggerAllows() throws Exception {
        InetSocketAddress at = freeLoopbackPort();
        LoggerHost host = toClose.add(LoggerHost.start(config(at, 8, 4)));
        List<SocketChannel> flood = new ArrayList<>();
        for (String from : List.of("127.0.0.2", "127.0.0.3", "127.0.0.4")) {
            for (int i = 0; i < 5; i++) flood.add(silent(from, at));
        }
        await("the logger to take or refuse every connection", 5000, () -> reading(host, "fttcp_logger_refused_host_handshakes_full")
                + reading(host, "fttcp_logger_refused_handshakes_full") + reading(host, "fttcp_logger_handshakes_pending") >= 15);
        assertEquals(8, reading(host, "fttcp_logger_handshakes_pending"));
        assertEquals(2, reading(host, "fttcp_logger_refused_host_handshakes_full"), "the 5th of the first two hosts");
        assertEquals(5, reading(host, "fttcp_logger_refused_handshakes_full"), "all of the third host's: the logger's 8 are taken");
        int ended = 0;
        for (SocketChannel s : flood) if (endedWithin(s, 200)) ended++;
        assertEquals(7, ended);
    }

    @Test
    void aChannelThatCannotStartItsThreadsIsClosedAndCountedAndTheLoggerGoesOnAccepting() throws Exception {
        AtomicInteger made = new AtomicInteger();
        int failing = 3;
        // The first three connections' first thread cannot start: as when the process is out of native threads.
        ThreadFactory threads = body -> made.incrementAndGet() > failing ? Thread.ofPlatform().daemon().unstarted(body) : new Thread(body) {
            @Override
            public void start() {
                throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource limits reached");
            }
        };
        InetSocketAddress at = freeLoopbackPort();
        LoggerHost host = toClose.add(LoggerHost.start(config(at, LoggerConfig.DEFAULT_MAX_HANDSHAKES, LoggerConfig.DEFAULT_MAX_HANDSHAKES_PER_HOST), threads));
        List<SocketChannel> doomed = new ArrayList<>();
        for (int i = 0; i < failing; i++) doomed.add(silent("127.0.0.2", at));
        await("three channels to fail to start", 5000, () -> reading(host, "fttcp_logger_channel_start_failures") >= failing);
        for (SocketChannel s : doomed) assertTrue(endedWithin(s, 2000), "a connection whose channel could not start is closed");

        assertServed(at, host, "alpha");
        assertEquals(failing, reading(host, "fttcp_logger_channel_start_failures"));
        assertEquals(0, reading(host, "fttcp_logger_handshakes_pending"));
    }
}
