package io.fttcp.e2e;

import io.fttcp.cli.demo.ServeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A server that cannot start is reported at once, with what it printed (the demo and these tests rely on that). */
@Timeout(value = 60)
class ServeProcessE2eTest {

    @RegisterExtension
    static final SharedTopology net = new SharedTopology(b -> b.client("client"));

    @Test
    void aServerThatExitsIsReportedWithItsOutput() {
        try (ServeProcess bad = ServeProcess.start(net.topology(), net.host("client"), "--app", "gopher")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> bad.awaitReady(Duration.ofSeconds(30)));
            assertTrue(e.getMessage().contains("exited before it was ready (exit 2)"), e.getMessage());
            assertTrue(e.getMessage().contains("--app"), "the usage error is shown:\n" + e.getMessage());
        }
    }

    @Test
    void aServerThatStartsSaysWhereItListens() throws InterruptedException {
        String address = net.host("client").kernelAddress() + ":8081";
        try (ServeProcess echo = ServeProcess.start(net.topology(), net.host("client"), "--app", "echo", "--listen", address)) {
            assertEquals(address, echo.awaitReady(Duration.ofSeconds(30)));
            assertTrue(echo.isAlive());
        }
    }
}
