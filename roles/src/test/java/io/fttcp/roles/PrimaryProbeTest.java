package io.fttcp.roles;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The probe's answers, on loopback sockets standing for the primary's replication port. */
class PrimaryProbeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private static InetSocketAddress portOf(ServerSocket s) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
    }

    @Test
    void nothingListeningIsDead() throws Exception {
        InetSocketAddress freed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            freed = portOf(s);
        }
        assertEquals(PrimaryProbe.Answer.DEAD, PrimaryProbe.ask(freed, TIMEOUT));
    }

    @Test
    void aProcessThatTakesTheConnectionAndClosesItIsAlive() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> primary = CompletableFuture.runAsync(() -> {
                try (Socket taken = s.accept()) {
                    // one backup only: closed at once
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertEquals(PrimaryProbe.Answer.ALIVE, PrimaryProbe.ask(portOf(s), TIMEOUT));
            primary.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aListenerNobodyServesIsNoAnswer() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertEquals(PrimaryProbe.Answer.NO_ANSWER, PrimaryProbe.ask(portOf(s), Duration.ofMillis(300)));
        }
    }

    /**
     * An exiting process: the kernel completed the probe's connection into the listener's queue,
     * then the listener closes unaccepted (the connection is reset) and the port is free. The
     * old probe called the reset a live process's answer; it is the process going away.
     */
    @Test
    void aConnectionResetUnreadBecauseTheListenerClosedIsDead() throws Exception {
        ServerSocket exiting = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        InetSocketAddress port = portOf(exiting);
        CompletableFuture<PrimaryProbe.Answer> answer = CompletableFuture.supplyAsync(() -> PrimaryProbe.ask(port, TIMEOUT));
        Thread.sleep(300); // the probe's connection sits in the queue, its read waiting
        exiting.close();
        assertEquals(PrimaryProbe.Answer.DEAD, answer.get(5, TimeUnit.SECONDS));
    }
}
