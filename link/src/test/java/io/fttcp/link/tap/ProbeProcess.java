package io.fttcp.link.tap;

import io.fttcp.testbed.Host;
import io.fttcp.testbed.Topology;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A {@link TapProbe} JVM running in a host namespace, with its output collected. */
final class ProbeProcess {
    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final Thread output;

    private ProbeProcess(Process process) {
        this.process = process;
        this.output = Thread.ofVirtual().start(this::collect);
    }

    static ProbeProcess start(Topology t, Host host, String mac, String address, boolean offloads) throws InterruptedException {
        ProbeProcess p = new ProbeProcess(t.start(host, pb -> pb.redirectErrorStream(true), Topology.javaCommand(TapProbe.class.getName(),
                host.tapDevice(), mac, address, "24", Boolean.toString(offloads), "120")));
        assertTrue(p.ready.await(30, TimeUnit.SECONDS), () -> "probe did not start: " + p.lines);
        return p;
    }

    private void collect() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
                if (line.startsWith("READY")) {
                    ready.countDown();
                }
            }
        } catch (IOException ignored) {
            // the probe was killed
        }
    }

    /** Sends one command line to the probe's stdin. */
    void command(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /** Closes stdin so the probe prints STATS and exits; returns the STATS line. */
    String stop() throws InterruptedException, IOException {
        process.getOutputStream().close();
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "probe exits when its stdin closes");
        output.join(Duration.ofSeconds(5));
        return lines.stream().filter(l -> l.startsWith("STATS")).findFirst()
                .orElseThrow(() -> new AssertionError("no STATS from the probe: " + lines));
    }

    /** Kills the probe like a crash (SIGKILL). */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
