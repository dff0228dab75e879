package io.fttcp.sim;

import io.fttcp.stack.runtime.TimerDriven;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadlineTimerTest {

    /** A component whose deadline the test sets, recording when it was run. */
    private static final class Component implements TimerDriven {
        long deadline = NO_DEADLINE;
        long nextAfterFiring = NO_DEADLINE;
        final List<Long> firedAt = new ArrayList<>();

        @Override
        public long nextDeadline() {
            return deadline;
        }

        @Override
        public void onTimer(long now) {
            firedAt.add(now);
            deadline = nextAfterFiring;
        }
    }

    @Test
    void keepsExactlyOneEventAtTheNextDeadline() {
        Scheduler scheduler = new Scheduler();
        Component component = new Component();
        component.deadline = 100;
        DeadlineTimer timer = DeadlineTimer.on(scheduler, component);
        assertEquals(100, timer.scheduledAt());
        for (long d = 50; d < 90; d++) {
            component.deadline = d;
            timer.rearm();
            timer.rearm();
            assertEquals(1, scheduler.pending(), "one event, however often re-armed");
        }
        assertEquals(89, timer.scheduledAt());
        component.nextAfterFiring = 500;
        scheduler.runUntilTime(400);
        assertEquals(List.of(89L), component.firedAt);
        assertEquals(500, timer.scheduledAt(), "re-armed after firing");
        component.deadline = TimerDriven.NO_DEADLINE;
        timer.rearm();
        assertEquals(0, scheduler.pending());
        scheduler.runUntilIdle();
        assertEquals(List.of(89L), component.firedAt);
    }

    @Test
    void aDeadlineInThePastFiresNow() {
        Scheduler scheduler = new Scheduler();
        Component component = new Component();
        DeadlineTimer timer = DeadlineTimer.on(scheduler, component);
        scheduler.runFor(1_000);
        component.deadline = 10;
        timer.rearm();
        scheduler.runUntilIdle();
        assertEquals(List.of(1_000L), component.firedAt);
    }

    @Test
    void interactionsThroughRunAndWrapReArm() {
        Scheduler scheduler = new Scheduler();
        Component component = new Component();
        DeadlineTimer timer = DeadlineTimer.on(scheduler, component);
        assertEquals(TimerDriven.NO_DEADLINE, timer.scheduledAt());
        timer.run(() -> component.deadline = 40);
        assertEquals(40, timer.scheduledAt());
        timer.wrap((frame, now) -> component.deadline = 30).receive(null, 0);
        assertEquals(30, timer.scheduledAt());
        scheduler.runUntilIdle();
        assertEquals(List.of(30L), component.firedAt);
    }

    @Test
    void stopCancelsForGood() {
        Scheduler scheduler = new Scheduler();
        Component component = new Component();
        component.deadline = 10;
        DeadlineTimer timer = DeadlineTimer.on(scheduler, component);
        timer.stop();
        timer.rearm();
        scheduler.runUntilIdle();
        assertTrue(component.firedAt.isEmpty());
    }

    @Test
    void aComponentThatNeverAdvancesItsDeadlineIsReported() {
        Scheduler scheduler = new Scheduler();
        Component component = new Component();
        component.deadline = 5;
        component.nextAfterFiring = 5; // stays in the past after firing: would spin forever
        DeadlineTimer.on(scheduler, component);
        IllegalStateException error = assertThrows(IllegalStateException.class, scheduler::runUntilIdle);
        assertTrue(error.getMessage().contains("nextDeadline()"), error.getMessage());
        assertEquals(DeadlineTimer.MAX_FIRINGS_AT_ONE_TIME, component.firedAt.size());
    }

    @Test
    void aComponentMayFireSeveralTimesAtOneInstant() {
        Scheduler scheduler = new Scheduler();
        int[] remaining = {3};
        List<Long> fired = new ArrayList<>();
        DeadlineTimer.on(scheduler, TimerDriven.of(() -> remaining[0] > 0 ? 7 : TimerDriven.NO_DEADLINE, now -> {
            fired.add(now);
            remaining[0]--;
        }));
        scheduler.runUntilIdle();
        assertEquals(List.of(7L, 7L, 7L), fired);
    }
}
