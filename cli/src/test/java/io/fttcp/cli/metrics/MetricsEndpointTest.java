package io.fttcp.cli.metrics;

import io.fttcp.roles.metrics.Reading;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsEndpointTest {
    @Test
    void servesTheReadingsInPrometheusTextFormatReadAfreshAtEveryScrape() throws Exception {
        AtomicLong segments = new AtomicLong(3);
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), () -> List.of(
                Reading.flag("fttcp_protection", "where the primary stands", true).labelled("state", "PROTECTED"),
                Reading.flag("fttcp_protection", "where the primary stands", false).labelled("state", "UNPROTECTED"),
                Reading.counter("fttcp_ssw_segments_logged", "SEGMENT records logged", segments.get()),
                Reading.gauge("fttcp_backup_replay_lag_bytes", "replay lag", 1048576)))) {
            String first = scrape(endpoint.port());
            assertTrue(first.contains("# TYPE fttcp_protection gauge"), first);
            assertTrue(first.contains("fttcp_protection{state=\"PROTECTED\"} 1.0"), first);
            assertTrue(first.contains("fttcp_protection{state=\"UNPROTECTED\"} 0.0"), first);
            assertTrue(first.contains("# TYPE fttcp_ssw_segments_logged_total counter"), first);
            assertTrue(first.contains("fttcp_ssw_segments_logged_total 3.0"), first);
            assertTrue(first.contains("# HELP fttcp_backup_replay_lag_bytes replay lag"), first);
            assertTrue(first.contains("fttcp_backup_replay_lag_bytes 1048576.0"), first);
            assertTrue(first.contains("# TYPE jvm_gc_collection_seconds summary"), "the JVM's own metrics: " + first);
            assertTrue(first.contains("jvm_memory_used_bytes{area=\"heap\"}"), first);
            segments.set(7);
            String second = scrape(endpoint.port());
            assertTrue(second.contains("fttcp_ssw_segments_logged_total 7.0"), second);
        }
    }

    @Test
    void oneNameReadAsTwoKindsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ReadingSnapshots.of(List.of(
                Reading.gauge("fttcp_x", "a level", 1), Reading.counter("fttcp_x", "a count", 2))));
    }

    /**
     * Ten clients that sent part of a request and waited held all ten of the Prometheus server's
     * threads, and then its dispatcher (which waits for a free thread): no scrape was answered,
     * for as long as they stayed (the JDK's server has no request timeout by default).
     */
    @Test
    void clientsThatStallMidRequestNeitherSilenceTheEndpointNorStayForever() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                () -> List.of(Reading.gauge("fttcp_x", "a level", 1)), Duration.ofSeconds(1))) {
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 16; i++) {
                    Socket s = new Socket(InetAddress.getLoopbackAddress(), endpoint.port());
                    s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                    stalled.add(s);
                }
                Thread.sleep(200);
                String body = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> scrape(endpoint.port()));
                assertTrue(body.contains("fttcp_x 1.0"), body);
                for (Socket s : stalled) {
                    s.setSoTimeout(5_000);
                    assertEquals(-1, s.getInputStream().read(), "a stalled request is ended within its bound");
                }
            } finally {
                for (Socket s : stalled) s.close();
            }
        }
    }

    private static String scrape(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }
}
