package io.fttcp.e2e;

import io.fttcp.testbed.ExecResult;
import io.fttcp.testbed.Host;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** socat sessions against the line echo and chat apps, each on the user-space stack on its own server host. */
@Timeout(value = 60)
class LineAppsOnStackE2eTest {
    private static final String ECHO_ADDRESS = "198.18.0.100";
    private static final String CHAT_ADDRESS = "198.18.0.101";
    private static final int ECHO_PORT = 7;
    private static final int CHAT_PORT = 7777;
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final SharedTopology net = new SharedTopology(b -> b.client("client").server("echo").server("chat"));

    @BeforeAll
    static void startServers() throws InterruptedException {
        Host echo = net.host("echo");
        Host chat = net.host("chat");
        net.serve("echo", "--network", "stack", "--app", "echo", "--listen", ECHO_ADDRESS + ":" + ECHO_PORT,
                "--tap", echo.tapDevice(), "--mac", echo.stackMac());
        net.serve("chat", "--network", "stack", "--app", "chat", "--listen", CHAT_ADDRESS + ":" + CHAT_PORT,
                "--tap", chat.tapDevice(), "--mac", chat.stackMac());
    }

    private static SocatSession socat(String address, int port) {
        return SocatSession.connect(net.topology(), net.host("client"), address, port);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void echoAnswersEachLineInteractively() throws Exception {
        try (SocatSession s = socat(ECHO_ADDRESS, ECHO_PORT)) {
            for (int i = 0; i < 20; i++) {
                byte[] line = utf8("line " + i + ": h\u00e9llo, \u4e16\u754c \u2713 " + "x".repeat(i * 37) + "\n");
                s.send(line);
                assertArrayEquals(line, s.receive(line.length, WAIT), "echo of line " + i);
            }
            s.finishSending();
            assertEquals(0, s.receiveToEnd(WAIT).length, "nothing after the echoes");
            assertEquals(0, s.awaitExit(WAIT), "socat exit code; stderr: " + s.errors());
        }
    }

    @Test
    void echoIsBinarySafe() throws Exception {
        long seed = System.nanoTime();
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        for (int b = 0; b < 256; b++) {
            payload.write(b);
        }
        byte[] random = new byte[1 << 20];
        new SplittableRandom(seed).nextBytes(random);
        payload.writeBytes(random);
        byte[] longLine = new byte[100_000];
        java.util.Arrays.fill(longLine, (byte) 0);
        payload.writeBytes(longLine);
        payload.writeBytes(new byte[]{'\r', '\n', '\n', 0, (byte) 0xff, 'e', 'n', 'd'}); // the last line has no newline
        byte[] sent = payload.toByteArray();
        try (SocatSession s = socat(ECHO_ADDRESS, ECHO_PORT)) {
            s.send(sent);
            s.finishSending();
            byte[] got = s.receiveToEnd(Duration.ofSeconds(30));
            assertEquals(sent.length, got.length, "bytes echoed (seed " + seed + ")");
            assertEquals(sha256(sent), sha256(got), "content echoed (seed " + seed + ")");
            assertEquals(0, s.awaitExit(WAIT), "socat exit code; stderr: " + s.errors());
        }
    }

    @Test
    void echoWithSocatFromAPipeWithPauses() {
        ExecResult r = net.bash("client", Duration.ofSeconds(30), "set -o pipefail; "
                + "(printf 'first\\nsecond\\n'; sleep 0.5; printf 'third\\n'; sleep 0.3; printf 'no newline') "
                + "| socat -t 10 - TCP:" + ECHO_ADDRESS + ":" + ECHO_PORT + ",connect-timeout=10");
        assertEquals(0, r.exitCode(), "socat failed:\n" + r.output());
        assertEquals("first\nsecond\nthird\nno newline", r.output());
    }

    @Test
    void chatSendsEveryLineToEveryMember() throws Exception {
        // Seeing one's own line back proves one has joined the room; bob connects only after that.
        try (SocatSession alice = socat(CHAT_ADDRESS, CHAT_PORT)) {
            byte[] aliceHere = utf8("alice joined\n");
            alice.send(aliceHere);
            assertArrayEquals(aliceHere, alice.receive(aliceHere.length, WAIT));
            try (SocatSession bob = socat(CHAT_ADDRESS, CHAT_PORT)) {
                chatBetween(alice, bob);
            }
        }
    }

    private static void chatBetween(SocatSession alice, SocatSession bob) throws Exception {
        byte[] bobHere = utf8("bob joined\n");
        bob.send(bobHere);
        assertArrayEquals(bobHere, bob.receive(bobHere.length, WAIT));
        assertArrayEquals(bobHere, alice.receive(bobHere.length, WAIT), "alice sees bob's line");
        for (int i = 0; i < 10; i++) {
            SocatSession from = i % 2 == 0 ? alice : bob;
            byte[] line = utf8((from == alice ? "alice" : "bob") + " says " + i + " \u00a1hola!\n");
            from.send(line);
            assertArrayEquals(line, alice.receive(line.length, WAIT), "alice receives message " + i);
            assertArrayEquals(line, bob.receive(line.length, WAIT), "bob receives message " + i);
        }
        bob.finishSending();
        assertEquals(0, bob.receiveToEnd(WAIT).length, "bob's session ends cleanly");
        byte[] after = utf8("bob has left\n");
        alice.send(after);
        assertArrayEquals(after, alice.receive(after.length, WAIT), "alice still chats after bob left");
        alice.finishSending();
        assertEquals(0, alice.receiveToEnd(WAIT).length);
        assertEquals(0, alice.awaitExit(WAIT), "alice's socat; stderr: " + alice.errors());
        assertEquals(0, bob.awaitExit(WAIT), "bob's socat; stderr: " + bob.errors());
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(SeededFile.newSha256().digest(bytes));
    }
}
