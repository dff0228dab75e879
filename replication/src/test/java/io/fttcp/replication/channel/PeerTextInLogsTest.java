package io.fttcp.replication.channel;

import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.fttcp.replication.channel.ChannelTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * What a peer says (a REJECT's reason) reaches our logs and our owners' messages, which go to
 * theirs: a line break or another control character in it must not start a line of its own, or
 * a peer could write log lines that look like ours.
 */
class PeerTextInLogsTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : toClose) c.close();
    }

    private static boolean printable(String s) {
        return s.codePoints().noneMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.LINE_SEPARATOR
                || Character.getType(c) == Character.PARAGRAPH_SEPARATOR || Character.getType(c) == Character.FORMAT);
    }

    @Test
    void aRejectReasonWithLineBreaksAndControlCharactersIsEscapedWhereItIsReported() throws Exception {
        String forged = "go away\n2026-01-01 00:00:00 ERROR replication channel to 10.0.0.9 closed: forged\r\u001b[2J\u0000\u2028\u202e end";
        try (ServerSocket fakePrimary = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Recorder events = new Recorder();
            toClose.add(BackupChannel.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), fakePrimary.getLocalPort()),
                    null, CONNECT, TOLERANT, 1, 0, events));
            try (RawPeer primary = new RawPeer(fakePrimary.accept())) {
                assertTrue(primary.awaitControls(1, 2000));
                ByteBuffer reject = ByteBuffer.allocate(2048);
                primary.encoder.encodeReject(forged, reject);
                primary.send(reject.flip());
                CloseReason why = events.closed.get(5, TimeUnit.SECONDS);
                assertEquals(CloseReason.Kind.HANDSHAKE_REFUSED, why.kind());
                assertTrue(printable(why.message()), "no control character reaches the reason: " + why.message());
                assertTrue(why.message().contains("go away\\n2026-01-01 00:00:00 ERROR replication channel to 10.0.0.9 closed: forged\\r\\u001b[2J"
                        + "\\u0000\\u2028\\u202e end"), why.message());
            }
        }
    }

    @Test
    void aPlainRejectReasonIsReportedAsItWas() throws Exception {
        try (ServerSocket fakePrimary = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Recorder events = new Recorder();
            toClose.add(BackupChannel.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), fakePrimary.getLocalPort()),
                    null, CONNECT, TOLERANT, 1, 0, events));
            try (RawPeer primary = new RawPeer(fakePrimary.accept())) {
                assertTrue(primary.awaitControls(1, 2000));
                primary.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.PRIMARY, "test-cluster", 1, 1)));
                ByteBuffer reject = ByteBuffer.allocate(2048);
                primary.encoder.encodeReject("cluster 'été' \\n stays: a backslash is no line break", reject);
                primary.send(reject.flip());
                CloseReason why = events.closed.get(5, TimeUnit.SECONDS);
                assertEquals(CloseReason.Kind.PEER_ABORTED, why.kind());
                assertTrue(why.message().endsWith("dropped the connection: cluster 'été' \\n stays: a backslash is no line break"), why.message());
            }
        }
    }
}
