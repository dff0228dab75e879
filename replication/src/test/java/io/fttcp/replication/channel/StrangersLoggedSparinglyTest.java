package io.fttcp.replication.channel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.fttcp.replication.channel.ChannelTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Connections that end before saying who they are (a port scan, an HTTP probe, a flood) are
 * strangers: each one's warning (or an error for its garbage) would fill the log at the rate
 * they come. The first from a host is warned about; repeats once a minute, with their number.
 */
class StrangersLoggedSparinglyTest {
    private ServerSocketChannel server;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream realErr;

    @BeforeEach
    void listen() throws Exception {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        realErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8)); // slf4j-simple writes to System.err as it is at each line
    }

    @AfterEach
    void cleanUp() throws Exception {
        System.setErr(realErr);
        realErr.print(err.toString(StandardCharsets.UTF_8));
        for (AutoCloseable c : toClose) c.close();
        server.close();
    }


    private LoggerChannel strangerFrom(String host, ChannelConfig config, byte[] says) throws Exception {
        SocketChannel s = SocketChannel.open();
        toClose.add(s);
        s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
        s.connect(server.getLocalAddress());
        LoggerChannel c = LoggerChannel.open(server.accept(), config, NO_SESSIONS);
        toClose.add(c);
        if (says.length > 0) s.write(ByteBuffer.wrap(says));
        return c;
    }

    /** A connection from {@code host} reset before the channel is opened on it: as a SYN scan's, or a client that gave up. */
    private LoggerChannel resetFrom(String host) throws Exception {
        SocketChannel s = SocketChannel.open();
        s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
        s.connect(server.getLocalAddress());
        s.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
        s.close();
        Thread.sleep(5);
        LoggerChannel c = LoggerChannel.open(server.accept(), TOLERANT, NO_SESSIONS);
        toClose.add(c);
        return c;
    }

    @Test
    void connectionsResetBeforeTheyAreServedAreWarnedAboutOnce() throws Exception {
        List<LoggerChannel> reset = new ArrayList<>();
        for (int i = 0; i < 10; i++) reset.add(resetFrom("127.0.0.7"));
        await("every reset connection to be closed", 5000, () -> reset.stream().allMatch(ReplicationChannel::isClosed));
        Thread.sleep(100);
        long lines = linesAbout("127.0.0.7");
        assertTrue(lines >= 1 && lines <= 2, "a warning that they ended (and one that their floor could not be set), not one each:\n"
                + err.toString(StandardCharsets.UTF_8));
    }

    private long linesAbout(String host) {
        return err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("/" + host + ":")).count();
    }

    @Test
    void garbageAndSilenceFromOneHostAreWarnedAboutOnceNotPerConnection() throws Exception {
        byte[] http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        List<LoggerChannel> probes = new ArrayList<>();
        for (int i = 0; i < 10; i++) probes.add(strangerFrom("127.0.0.5", TOLERANT, http));
        await("every probe to be closed", 5000, () -> probes.stream().allMatch(ReplicationChannel::isClosed));
        Thread.sleep(100); // the lines after the close
        assertEquals(1, linesAbout("127.0.0.5"), "one warning for ten probes from one host:\n" + err.toString(StandardCharsets.UTF_8));

        ChannelConfig quick = TOLERANT.withHandshakeTimeout(Duration.ofMillis(100));
        List<LoggerChannel> silent = new ArrayList<>();
        for (int i = 0; i < 10; i++) silent.add(strangerFrom("127.0.0.6", quick, new byte[0]));
        await("every silent connection to time out", 5000, () -> silent.stream().allMatch(ReplicationChannel::isClosed));
        Thread.sleep(100);
        assertEquals(1, linesAbout("127.0.0.6"), "one warning for ten silent connections from one host:\n" + err.toString(StandardCharsets.UTF_8));
    }
}
