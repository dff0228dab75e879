package io.fttcp.bench;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class ControlReplyTest {

    @Test
    void parsesTheWordAndFields() {
        ControlReply r = ControlReply.parse("heap used=123456 direct=0\n");
        assertEquals("heap", r.word());
        assertEquals(123456L, r.longField("used"));
        assertEquals(0L, r.longField("direct"));
        assertSame(r, r.expect("heap"));
        assertFalse(r.isError());
    }

    @Test
    void aReplyWithoutFieldsIsJustItsWord() {
        ControlReply r = ControlReply.parse("ready");
        assertEquals("ready", r.word());
        assertTrue(r.fields().isEmpty());
    }

    @Test
    void errorsCarryTheirWholeMessageAndFailExpect() {
        ControlReply r = ControlReply.parse("error java.io.IOException: 3 of 64 downloads failed, first: x=y");
        assertTrue(r.isError());
        assertEquals("java.io.IOException: 3 of 64 downloads failed, first: x=y", r.field("message"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.expect("agg"));
        assertTrue(e.getMessage().contains("3 of 64 downloads failed"), e.getMessage());
    }

    @Test
    void anotherWordThanExpectedIsAnError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ControlReply.parse("held count=3").expect("heap"));
        assertTrue(e.getMessage().contains("held count=3"), e.getMessage());
    }

    @Test
    void malformedRepliesAreClearExceptions() {
        for (String bad : new String[]{null, "", "   ", "used=1", "heap used", "heap used=", "heap =5", "heap a=1 a=2"}) {
            assertThrows(IllegalArgumentException.class, () -> ControlReply.parse(bad), "accepted: " + bad);
        }
        ControlReply r = ControlReply.parse("heap used=lots");
        assertThrows(IllegalArgumentException.class, () -> r.longField("used"));
        assertThrows(IllegalArgumentException.class, () -> r.longField("direct"));
    }

    @Test
    void garbageNeverEscapesAsAnythingButIllegalArgument() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom random = new SplittableRandom(seed);
        String alphabet = "ab= \t\n0123456789-x";
        for (int i = 0; i < 10_000; i++) {
            StringBuilder s = new StringBuilder();
            int n = random.nextInt(12);
            for (int j = 0; j < n; j++) {
                s.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            try {
                ControlReply r = ControlReply.parse(s.toString());
                assertFalse(r.word().isEmpty(), "seed " + seed + ": empty word from '" + s + "'");
                assertFalse(r.word().contains("="), "seed " + seed + ": word with '=' from '" + s + "'");
            } catch (IllegalArgumentException expected) {
                // A clear rejection.
            }
        }
    }
}
