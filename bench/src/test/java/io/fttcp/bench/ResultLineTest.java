package io.fttcp.bench;

import org.junit.jupiter.api.Test;

import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class ResultLineTest {

    @Test
    void formatsTheIssuesLineFromMeasurements() {
        Measurements m = new Measurements();
        m.add(Metric.DOWNLOAD, Variant.KERNEL, 800);
        m.add(Metric.DOWNLOAD, Variant.STACK, 670);
        m.add(Metric.UPLOAD, Variant.KERNEL, 628);
        m.add(Metric.UPLOAD, Variant.STACK, 376);
        m.add(Metric.AGGREGATE, Variant.KERNEL, 2000);
        m.add(Metric.AGGREGATE, Variant.STACK, 1000);
        m.add(Metric.RR_P50, Variant.KERNEL, 40);
        m.add(Metric.RR_P50, Variant.STACK, 50);
        m.add(Metric.IDLE_CONNECTION_BYTES, Variant.KERNEL, 800);
        m.add(Metric.IDLE_CONNECTION_BYTES, Variant.STACK, 1206.6);
        assertEquals("RESULT stack down_ratio=0.838 up_ratio=0.599 agg_ratio=0.500 rr_p50_ratio=1.250 idle_conn_bytes=1207",
                ResultLine.of(m).format());
    }

    @Test
    void whatWasNotMeasuredIsNan() {
        Measurements m = new Measurements();
        m.add(Metric.DOWNLOAD, Variant.STACK, 670);
        String line = ResultLine.of(m).format();
        assertEquals("RESULT stack down_ratio=nan up_ratio=nan agg_ratio=nan rr_p50_ratio=nan idle_conn_bytes=nan", line);
        ResultLine parsed = ResultLine.parse(line);
        assertTrue(parsed.downRatio().isEmpty());
        assertTrue(parsed.idleConnectionBytes().isEmpty());
    }

    @Test
    void parseReadsBackWhatFormatWrote() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 1000; i++) {
            ResultLine line = new ResultLine(ratio(random), ratio(random), ratio(random), ratio(random),
                    random.nextInt(4) == 0 ? OptionalLong.empty() : OptionalLong.of(random.nextLong(1_000_000)));
            ResultLine back = ResultLine.parse(line.format());
            assertEquals(line.format(), back.format(), "seed " + seed);
            assertEquals(line.idleConnectionBytes(), back.idleConnectionBytes(), "seed " + seed);
            if (line.downRatio().isPresent()) {
                assertEquals(line.downRatio().getAsDouble(), back.downRatio().getAsDouble(), 0.0005, "seed " + seed);
            }
        }
    }

    private static OptionalDouble ratio(SplittableRandom random) {
        return random.nextInt(5) == 0 ? OptionalDouble.empty() : OptionalDouble.of(random.nextDouble() * 3);
    }

    @Test
    void parseRejectsOtherLines() {
        for (String bad : new String[]{null, "", "RESULT kernel down_ratio=1", "RESULT stack down_ratio=1",
                "RESULT stack down_ratio=1 up_ratio=1 agg_ratio=1 rr_p50_ratio=1",
                "RESULT stack down_ratio=x up_ratio=1 agg_ratio=1 rr_p50_ratio=1 idle_conn_bytes=3",
                "RESULT stack down_ratio=-1 up_ratio=1 agg_ratio=1 rr_p50_ratio=1 idle_conn_bytes=3",
                "RESULT stack down_ratio=1 up_ratio=1 agg_ratio=1 rr_p50_ratio=1 idle_conn_bytes=3 extra=4",
                "RESULT stack down_ratio=1 up_ratio=1 agg_ratio=1 rr_p50_ratio=1 idle_bytes=3"}) {
            assertThrows(IllegalArgumentException.class, () -> ResultLine.parse(bad), "accepted: " + bad);
        }
    }
}
