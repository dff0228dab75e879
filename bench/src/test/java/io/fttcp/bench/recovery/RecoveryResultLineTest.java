package io.fttcp.bench.recovery;

import org.junit.jupiter.api.Test;

import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RecoveryResultLineTest {

    @Test
    void formatsAndParsesBack() {
        RecoveryResultLine r = new RecoveryResultLine(OptionalDouble.of(212.34), OptionalDouble.of(231.06), 150, OptionalDouble.of(0.9512),
                OptionalDouble.empty(), 117, 118);
        String line = r.format();
        assertEquals("RESULT recovery replay_mib_per_s=212.3 recovery_ms_1mib=231.1 detect_timeout_ms=150 down_ratio_batch=0.951"
                + " up_ratio_batch=nan intact=117/118", line);
        RecoveryResultLine back = RecoveryResultLine.parse(line);
        assertEquals(212.3, back.replayMibPerSecond().orElseThrow(), 1e-9);
        assertEquals(OptionalDouble.empty(), back.upRatioBatch());
        assertEquals(117, back.intact());
        assertEquals(118, back.trials());
        assertEquals(line, back.format());
    }

    @Test
    void rejectsWhatIsNotAResultLine() {
        String good = "RESULT recovery replay_mib_per_s=1.0 recovery_ms_1mib=2.0 detect_timeout_ms=150 down_ratio_batch=0.9 up_ratio_batch=0.8 intact=1/1";
        RecoveryResultLine.parse(good);
        assertThrows(IllegalArgumentException.class, () -> RecoveryResultLine.parse("RESULT failover " + good.substring(16)));
        assertThrows(IllegalArgumentException.class, () -> RecoveryResultLine.parse(good.replace(" up_ratio_batch=0.8", "")));
        assertThrows(IllegalArgumentException.class, () -> RecoveryResultLine.parse(good + " extra=1"));
        assertThrows(IllegalArgumentException.class, () -> RecoveryResultLine.parse(good.replace("intact=1/1", "intact=2/1")));
        assertThrows(IllegalArgumentException.class, () -> RecoveryResultLine.parse(good.replace("intact=1/1", "intact=1")));
        assertThrows(IllegalArgumentException.class, () -> RecoveryResultLine.parse(good.replace("1.0", "Infinity")));
        assertThrows(IllegalArgumentException.class, () -> RecoveryResultLine.parse(good.replace("1.0", "x")));
        assertThrows(IllegalArgumentException.class, () -> RecoveryResultLine.parse(null));
    }
}
