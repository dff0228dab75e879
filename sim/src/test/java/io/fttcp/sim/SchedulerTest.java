package io.fttcp.sim;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchedulerTest {

    @Test
    void runsEventsInTimeOrderAndSameTimeEventsInInsertionOrder() {
        SimulationSeeds.forEach(0x5EED_0001L, 20, seed -> {
            SplittableRandom random = new SplittableRandom(seed);
            Scheduler scheduler = new Scheduler();
            List<long[]> expected = new ArrayList<>();
            List<long[]> ran = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                long time = random.nextLong(50); // few distinct times: many ties
                long[] entry = {time, i};
                expected.add(entry);
                scheduler.schedule(time, () -> {
                    assertEquals(time, scheduler.now(), "now() inside an event is its time");
                    ran.add(entry);
                });
            }
            scheduler.runUntilIdle();
            expected.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
            assertEquals(expected, ran);
            assertEquals(2000, scheduler.executed());
        });
    }

    @Test
    void randomScheduleAndCancelMatchesAReferenceQueue() {
        SimulationSeeds.forEach(0x5EED_0002L, 20, seed -> {
            SplittableRandom random = new SplittableRandom(seed);
            Scheduler scheduler = new Scheduler();
            // reference: (time, sequence) -> id, the order events must run in
            TreeMap<long[], Integer> reference = new TreeMap<>(Comparator.<long[]>comparingLong(k -> k[0]).thenComparingLong(k -> k[1]));
            List<ScheduledEvent> handles = new ArrayList<>();
            List<long[]> keys = new ArrayList<>();
            List<Integer> ran = new ArrayList<>();
            long sequence = 0;
            for (int step = 0; step < 5000; step++) {
                int op = random.nextInt(10);
                if (op < 6) {
                    int id = handles.size();
                    long time = scheduler.now() + random.nextLong(1000);
                    long[] key = {time, sequence++};
                    reference.put(key, id);
                    keys.add(key);
                    handles.add(scheduler.schedule(time, () -> ran.add(id)));
                } else if (op < 8 && !handles.isEmpty()) {
                    int id = random.nextInt(handles.size());
                    boolean wasPending = reference.containsKey(keys.get(id)) && reference.get(keys.get(id)) == id;
                    assertEquals(wasPending, handles.get(id).cancel(), "cancel result for event " + id);
                    reference.remove(keys.get(id));
                    assertFalse(handles.get(id).isPending());
                } else if (!reference.isEmpty()) {
                    int expectedId = reference.pollFirstEntry().getValue();
                    assertTrue(scheduler.runNext());
                    assertEquals(expectedId, ran.getLast());
                }
                assertEquals(reference.size(), scheduler.pending(), "pending count at step " + step);
            }
            while (!reference.isEmpty()) {
                int expectedId = reference.pollFirstEntry().getValue();
                assertTrue(scheduler.runNext());
                assertEquals(expectedId, ran.getLast());
            }
            assertFalse(scheduler.runNext());
        });
    }

    @Test
    void eventsScheduledForNowRunAfterThoseAlreadyQueuedForNow() {
        Scheduler scheduler = new Scheduler();
        List<String> order = new ArrayList<>();
        scheduler.schedule(10, () -> {
            order.add("a");
            scheduler.after(0, () -> order.add("c"));
        });
        scheduler.schedule(10, () -> order.add("b"));
        scheduler.runUntilIdle();
        assertEquals(List.of("a", "b", "c"), order);
        assertEquals(10, scheduler.now());
    }

    @Test
    void cancelledEventsDoNotRun() {
        Scheduler scheduler = new Scheduler();
        List<String> order = new ArrayList<>();
        ScheduledEvent a = scheduler.schedule(5, () -> order.add("a"));
        scheduler.schedule(6, () -> order.add("b"));
        assertTrue(a.isPending());
        assertTrue(a.cancel());
        assertFalse(a.cancel(), "second cancel reports nothing to cancel");
        scheduler.runUntilIdle();
        assertEquals(List.of("b"), order);
        assertEquals(1, scheduler.executed());
    }

    @Test
    void cancelAllRemovesOnlyTheOwnersEventsAndKeepsOrder() {
        SimulationSeeds.forEach(0x5EED_0003L, 10, seed -> {
            SplittableRandom random = new SplittableRandom(seed);
            Scheduler scheduler = new Scheduler();
            Object owner = new Object();
            List<Long> ran = new ArrayList<>();
            int owned = 0;
            for (int i = 0; i < 1000; i++) {
                long time = random.nextLong(10_000);
                if (random.nextBoolean()) {
                    owned++;
                    scheduler.schedule(time, () -> {
                        throw new AssertionError("owned event ran");
                    }, owner);
                } else {
                    scheduler.schedule(time, () -> ran.add(scheduler.now()));
                }
            }
            assertEquals(owned, scheduler.cancelAll(owner));
            assertEquals(1000 - owned, scheduler.pending());
            scheduler.runUntilIdle();
            assertEquals(1000 - owned, ran.size());
            for (int i = 1; i < ran.size(); i++) {
                assertTrue(ran.get(i - 1) <= ran.get(i), "time went backwards after cancelAll");
            }
        });
    }

    @Test
    void runUntilStopsAsSoonAsThePredicateHolds() {
        Scheduler scheduler = new Scheduler();
        int[] counter = {0};
        for (int i = 1; i <= 10; i++) {
            scheduler.schedule(i * 100L, () -> counter[0]++);
        }
        assertTrue(scheduler.runUntil(() -> counter[0] == 3));
        assertEquals(300, scheduler.now());
        assertEquals(7, scheduler.pending());
        assertFalse(scheduler.runUntil(() -> counter[0] == 99), "idle before the predicate holds");
        assertEquals(10, counter[0]);
    }

    @Test
    void runUntilWithDeadlineAdvancesTimeToTheDeadline() {
        Scheduler scheduler = new Scheduler();
        boolean[] fired = {false};
        scheduler.schedule(1_000, () -> fired[0] = true);
        assertFalse(scheduler.runUntil(() -> fired[0], 500));
        assertEquals(500, scheduler.now());
        assertFalse(fired[0]);
        assertTrue(scheduler.runUntil(() -> fired[0], 2_000));
        assertEquals(1_000, scheduler.now());
    }

    @Test
    void runUntilTimeRunsEventsAtThatTimeButNotLater() {
        Scheduler scheduler = new Scheduler();
        List<Long> ran = new ArrayList<>();
        for (long t : new long[] {100, 200, 201}) {
            scheduler.schedule(t, () -> ran.add(t));
        }
        scheduler.runUntilTime(200);
        assertEquals(List.of(100L, 200L), ran);
        assertEquals(200, scheduler.now());
        scheduler.runFor(50);
        assertEquals(List.of(100L, 200L, 201L), ran);
        assertEquals(250, scheduler.now());
    }

    @Test
    void rejectsThePastNegativeDelaysAndReentrantRuns() {
        Scheduler scheduler = new Scheduler();
        scheduler.runFor(100);
        assertThrows(IllegalArgumentException.class, () -> scheduler.schedule(99, () -> { }));
        assertThrows(IllegalArgumentException.class, () -> scheduler.after(-1, () -> { }));
        scheduler.after(1, scheduler::runUntilIdle);
        assertThrows(IllegalStateException.class, scheduler::runUntilIdle);
    }

    @Test
    void afterSaturatesInsteadOfOverflowing() {
        Scheduler scheduler = new Scheduler();
        scheduler.runFor(10);
        assertEquals(Long.MAX_VALUE, scheduler.after(Long.MAX_VALUE, () -> { }).time());
    }

    @Test
    void anExceptionFromAnEventPropagatesAndTheSchedulerStaysUsable() {
        Scheduler scheduler = new Scheduler();
        List<String> order = new ArrayList<>();
        scheduler.schedule(1, () -> {
            throw new IllegalStateException("boom");
        });
        scheduler.schedule(2, () -> order.add("after"));
        IllegalStateException thrown = assertThrows(IllegalStateException.class, scheduler::runUntilIdle);
        assertEquals("boom", thrown.getMessage());
        scheduler.runUntilIdle();
        assertEquals(List.of("after"), order);
    }

    @Test
    void aLivelockAtOneInstantIsReportedInsteadOfHanging() {
        Scheduler scheduler = new Scheduler();
        scheduler.setInstantEventLimit(1_000);
        Runnable[] pingPong = new Runnable[1];
        pingPong[0] = () -> scheduler.after(0, pingPong[0]);
        scheduler.after(5, pingPong[0]);
        IllegalStateException error = assertThrows(IllegalStateException.class, scheduler::runUntilIdle);
        assertTrue(error.getMessage().contains("livelock"), error.getMessage());
        assertEquals(5, scheduler.now());

        Scheduler patient = new Scheduler();
        patient.setInstantEventLimit(1_000);
        int[] count = {0};
        Runnable[] advancing = new Runnable[1];
        advancing[0] = () -> {
            if (++count[0] < 5_000) {
                patient.after(count[0] % 500 == 0 ? 1 : 0, advancing[0]);
            }
        };
        patient.after(0, advancing[0]);
        patient.runUntilIdle();
        assertEquals(5_000, count[0], "bursts below the limit at each instant are fine");
    }

    @Test
    void throughputMicroCheck() {
        // Printed, not asserted: timing on a shared machine is noise.
        Scheduler scheduler = new Scheduler();
        SplittableRandom random = new SplittableRandom(7);
        int events = 2_000_000;
        Runnable[] self = new Runnable[1];
        long[] count = {0};
        self[0] = () -> {
            if (++count[0] + 1000 <= events) {
                scheduler.after(random.nextLong(1_000_000), self[0]);
            }
        };
        for (int i = 0; i < 1000; i++) {
            scheduler.after(random.nextLong(1_000_000), self[0]);
        }
        long start = System.nanoTime();
        scheduler.runUntilIdle();
        long elapsed = System.nanoTime() - start;
        assertEquals(events, scheduler.executed());
        System.out.printf("scheduler: %d events with ~1000 pending in %.1f ms = %.1f M events/s%n",
                events, elapsed / 1e6, events * 1e3 / elapsed);
    }

    @Test
    void aFrozenOwnersEventsRunAtTheThawInTheirOrderOthersRunOnTime() {
        Scheduler scheduler = new Scheduler();
        Object host = new Object();
        List<String> ran = new ArrayList<>();
        scheduler.schedule(10, () -> ran.add("a@" + scheduler.now()), host);
        scheduler.schedule(5, () -> ran.add("b@" + scheduler.now()), host);
        scheduler.schedule(7, () -> ran.add("other@" + scheduler.now()));
        scheduler.schedule(200, () -> ran.add("late@" + scheduler.now()), host);
        scheduler.schedule(3, () -> {
            assertEquals(2, scheduler.freeze(host, 100));
            assertTrue(scheduler.isFrozen(host));
            scheduler.after(1, () -> ran.add("new@" + scheduler.now()), host); // scheduled while frozen
        });
        scheduler.runUntilIdle();
        assertEquals(List.of("other@7", "b@100", "a@100", "new@100", "late@200"), ran);
        assertFalse(scheduler.isFrozen(host));
    }
}
