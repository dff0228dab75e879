package io.fttcp.e2e;

import io.fttcp.testbed.Topology;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static io.fttcp.e2e.ClientChecks.assertNoReset;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the key-value store ({@code app = kv}) must hold, and the commands that change it (a few keys, SET and INCR, checked with GET). */
final class KvModel {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final SplittableRandom random;
    private final TreeMap<String, String> values = new TreeMap<>();
    /** Bytes sent by {@link #commands} (the long session's), so far. */
    private long commandBytes;

    KvModel(SplittableRandom random) {
        this.random = random;
    }

    /** {@code n} random commands on {@code session}, in batches of 100, each answer checked. */
    void commands(SocatSession session, int n, String why) throws IOException, InterruptedException {
        for (int done = 0; done < n; ) {
            int batch = Math.min(100, n - done);
            StringBuilder sent = new StringBuilder();
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < batch; i++) {
                next(sent, expected);
            }
            exchange(session, sent, expected, "commands " + done + ".." + (done + batch) + " of " + n + ", " + why);
            commandBytes += sent.toString().getBytes(StandardCharsets.UTF_8).length;
            done += batch;
        }
    }

    long commandBytes() {
        return commandBytes;
    }

    void checkEveryValue(SocatSession session, String why) throws IOException, InterruptedException {
        StringBuilder sent = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        values.forEach((k, v) -> {
            sent.append("GET ").append(k).append('\n');
            expected.append(v).append('\n');
        });
        exchange(session, sent, expected, why);
    }

    /** {@code count} sessions of their own (socat each), a few commands each, then every value read back on the last. */
    void shortSessions(SharedTopology net, int count, String why) throws IOException, InterruptedException {
        for (int i = 0; i < count; i++) {
            StringBuilder sent = new StringBuilder();
            StringBuilder expected = new StringBuilder();
            for (int c = 0; c < 3; c++) {
                next(sent, expected);
            }
            if (i == count - 1) {
                values.forEach((k, v) -> {
                    sent.append("GET ").append(k).append('\n');
                    expected.append(v).append('\n');
                });
            }
            try (SocatSession s = SocatSession.connect(net.topology(), net.host("client"), Topology.SERVICE_ADDRESS, 80)) {
                s.send(sent.toString().getBytes(StandardCharsets.UTF_8));
                s.finishSending();
                String got = new String(s.receiveToEnd(WAIT), StandardCharsets.UTF_8);
                assertEquals(expected.toString(), got, "short session " + i + ", " + why);
                assertEquals(0, s.awaitExit(WAIT), "socat's exit code, short session " + i + ", " + why + "; stderr: " + s.errors());
                assertNoReset(s.errors(), why);
            }
        }
    }

    private void next(StringBuilder sent, StringBuilder expected) {
        String key = "k" + random.nextInt(20);
        switch (random.nextInt(3)) {
            case 0 -> {
                String v = "v" + random.nextInt(1_000_000);
                values.put(key, v);
                sent.append("SET ").append(key).append(' ').append(v).append('\n');
                expected.append("OK\n");
            }
            case 1 -> {
                String counter = "n" + random.nextInt(5);
                long n = Long.parseLong(values.getOrDefault(counter, "0")) + 1;
                values.put(counter, Long.toString(n));
                sent.append("INCR ").append(counter).append('\n');
                expected.append(n).append('\n');
            }
            default -> {
                sent.append("GET ").append(key).append('\n');
                expected.append(values.getOrDefault(key, "NIL")).append('\n');
            }
        }
    }

    private static void exchange(SocatSession session, StringBuilder sent, StringBuilder expected, String why)
            throws IOException, InterruptedException {
        byte[] want = expected.toString().getBytes(StandardCharsets.UTF_8);
        session.send(sent.toString().getBytes(StandardCharsets.UTF_8));
        assertEquals(expected.toString(), new String(session.receive(want.length, WAIT), StandardCharsets.UTF_8), why);
    }
}
