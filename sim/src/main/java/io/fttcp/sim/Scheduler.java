package io.fttcp.sim;

import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * A discrete-event scheduler with virtual time in nanoseconds. Single-threaded and free of wall
 * clocks: time only moves when the next event runs, so a run is a pure function of its inputs
 * and seed. Events at the same time run in the order they were scheduled.
 *
 * <p>The queue is a binary min-heap on (time, sequence); each event remembers its heap index so
 * cancellation removes it in O(log n) instead of leaving tombstones behind.
 *
 * <p>An exception thrown by an event propagates out of the {@code run...} call that ran it; the
 * event is already removed, so the scheduler stays usable.
 *
 * <p>Virtual time cannot stop a livelock (components rescheduling each other at the same
 * instant forever), so more than {@link #setInstantEventLimit(long) a limit} of consecutive
 * events at one instant is reported as an error instead of hanging the test.
 */
public final class Scheduler {
    private ScheduledEvent[] heap = new ScheduledEvent[1024];
    private int size;
    private long now;
    private long nextSequence;
    private long executed;
    private boolean running;
    private long instantEventLimit = DEFAULT_INSTANT_EVENT_LIMIT;
    private long eventsAtThisInstant;
    /** Owners frozen until a time (see {@link #freeze}); usually empty. */
    private final java.util.Map<Object, Long> frozenUntil = new java.util.HashMap<>();

    /** Default for {@link #setInstantEventLimit(long)}. */
    public static final long DEFAULT_INSTANT_EVENT_LIMIT = 50_000_000;

    /** Current virtual time in nanoseconds (starts at 0). */
    public long now() {
        return now;
    }

    /** Number of events waiting to run. */
    public int pending() {
        return size;
    }

    /** Number of events run so far. */
    public long executed() {
        return executed;
    }

    /** Time of the next pending event, or Long.MAX_VALUE if none. */
    public long nextEventTime() {
        return size == 0 ? Long.MAX_VALUE : heap[0].time;
    }

    /**
     * How many events may run one after another at the same virtual time before the run fails
     * as a livelock.
     */
    public void setInstantEventLimit(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        }
        instantEventLimit = limit;
    }

    /** Runs {@code action} at virtual time {@code atTime} (not earlier than now). */
    public ScheduledEvent schedule(long atTime, Runnable action) {
        return schedule(atTime, action, null);
    }

    /**
     * Runs {@code action} at {@code atTime} on behalf of {@code owner} (any identity object, e.g.
     * a host incarnation); {@link #cancelAll(Object)} cancels everything an owner scheduled.
     */
    public ScheduledEvent schedule(long atTime, Runnable action, Object owner) {
        if (atTime < now) {
            throw new IllegalArgumentException("cannot schedule in the past: atTime=" + atTime + " < now=" + now);
        }
        if (action == null) {
            throw new NullPointerException("action");
        }
        if (owner != null && !frozenUntil.isEmpty()) {
            Long until = frozenUntil.get(owner);
            if (until != null && until > now) atTime = Math.max(atTime, until);
            else if (until != null) frozenUntil.remove(owner);
        }
        ScheduledEvent event = new ScheduledEvent(this, atTime, nextSequence++, action, owner);
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        event.heapIndex = size;
        heap[size++] = event;
        siftUp(event.heapIndex);
        return event;
    }

    /** Runs {@code action} {@code delay} nanoseconds from now (saturating at Long.MAX_VALUE). */
    public ScheduledEvent after(long delay, Runnable action) {
        return after(delay, action, null);
    }

    /** As {@link #after(long, Runnable)}, owned by {@code owner}. */
    public ScheduledEvent after(long delay, Runnable action, Object owner) {
        if (delay < 0) {
            throw new IllegalArgumentException("negative delay: " + delay);
        }
        long at = now + delay;
        return schedule(at < now ? Long.MAX_VALUE : at, action, owner);
    }

    boolean cancel(ScheduledEvent event) {
        int index = event.heapIndex;
        if (index < 0) {
            return false;
        }
        removeAt(index);
        return true;
    }

    /** Cancels every pending event scheduled with {@code owner}; returns how many. O(pending). */
    public int cancelAll(Object owner) {
        if (owner == null) {
            throw new NullPointerException("owner");
        }
        int kept = 0;
        int cancelled = 0;
        for (int i = 0; i < size; i++) {
            ScheduledEvent event = heap[i];
            if (event.owner == owner) {
                event.heapIndex = -1;
                cancelled++;
            } else {
                heap[kept++] = event;
            }
        }
        if (cancelled > 0) {
            Arrays.fill(heap, kept, size, null);
            size = kept;
            for (int i = 0; i < size; i++) {
                heap[i].heapIndex = i;
            }
            for (int i = (size >>> 1) - 1; i >= 0; i--) {
                siftDown(i);
            }
        }
        return cancelled;
    }

    /**
     * Freezes {@code owner} until {@code until} (a stopped process, a long pause): its pending
     * events due earlier, and everything it schedules meanwhile, run at {@code until} instead, in
     * their original order (so its timers fire late). Returns how many pending events moved.
     */
    public int freeze(Object owner, long until) {
        if (owner == null) {
            throw new NullPointerException("owner");
        }
        if (until <= now) {
            return 0;
        }
        frozenUntil.merge(owner, until, Math::max);
        java.util.List<ScheduledEvent> moved = new java.util.ArrayList<>();
        for (int i = 0; i < size; i++) {
            if (heap[i].owner == owner && heap[i].time < until) {
                moved.add(heap[i]);
            }
        }
        moved.sort(java.util.Comparator.comparingLong((ScheduledEvent e) -> e.time).thenComparingLong(e -> e.sequence));
        for (ScheduledEvent e : moved) {
            e.time = until;
            e.sequence = nextSequence++;
        }
        for (int i = (size >>> 1) - 1; i >= 0; i--) {
            siftDown(i);
        }
        return moved.size();
    }

    /** Whether {@code owner} is frozen now. */
    public boolean isFrozen(Object owner) {
        Long until = frozenUntil.get(owner);
        return until != null && until > now;
    }

    /** Runs the next event, if any; returns false when idle. */
    public boolean runNext() {
        enter();
        try {
            return step();
        } finally {
            running = false;
        }
    }

    /** Runs events until none is left. Beware of periodic timers: they never let it end. */
    public void runUntilIdle() {
        enter();
        try {
            while (step()) {
                // keep going
            }
        } finally {
            running = false;
        }
    }

    /**
     * Runs events until {@code done} holds (checked before every event) or no event is left;
     * returns whether {@code done} holds.
     */
    public boolean runUntil(BooleanSupplier done) {
        return runUntil(done, Long.MAX_VALUE);
    }

    /**
     * Runs events until {@code done} holds, or the next event is later than {@code deadline}
     * (then time advances to the deadline), or no event is left; returns whether {@code done}
     * holds.
     */
    public boolean runUntil(BooleanSupplier done, long deadline) {
        enter();
        try {
            while (!done.getAsBoolean()) {
                if (size == 0 || heap[0].time > deadline) {
                    if (deadline != Long.MAX_VALUE && deadline > now) {
                        now = deadline;
                    }
                    return done.getAsBoolean();
                }
                step();
            }
            return true;
        } finally {
            running = false;
        }
    }

    /** Runs every event due at or before {@code time}, then sets the clock to {@code time}. */
    public void runUntilTime(long time) {
        if (time < now) {
            throw new IllegalArgumentException("time " + time + " is before now " + now);
        }
        enter();
        try {
            while (size > 0 && heap[0].time <= time) {
                step();
            }
            now = time;
        } finally {
            running = false;
        }
    }

    /** Runs for {@code duration} nanoseconds of virtual time. */
    public void runFor(long duration) {
        if (duration < 0) {
            throw new IllegalArgumentException("negative duration: " + duration);
        }
        long end = now + duration;
        runUntilTime(end < now ? Long.MAX_VALUE : end);
    }

    private void enter() {
        if (running) {
            throw new IllegalStateException("the scheduler is already running: do not call run methods from an event");
        }
        running = true;
    }

    private boolean step() {
        if (size == 0) {
            return false;
        }
        ScheduledEvent event = heap[0];
        if (event.time != now) {
            eventsAtThisInstant = 0;
        } else if (++eventsAtThisInstant > instantEventLimit) {
            throw new IllegalStateException("livelock: more than " + instantEventLimit + " events in a row at t=" + now
                    + "ns without time advancing (next: " + event.action + ")");
        }
        removeAt(0);
        now = event.time;
        executed++;
        event.action.run();
        return true;
    }

    private void removeAt(int index) {
        ScheduledEvent removed = heap[index];
        removed.heapIndex = -1;
        int last = --size;
        if (index == last) {
            heap[last] = null;
            return;
        }
        ScheduledEvent moved = heap[last];
        heap[last] = null;
        heap[index] = moved;
        moved.heapIndex = index;
        siftDown(index);
        if (heap[index] == moved) {
            siftUp(index);
        }
    }

    private void siftUp(int index) {
        ScheduledEvent event = heap[index];
        while (index > 0) {
            int parentIndex = (index - 1) >>> 1;
            ScheduledEvent parent = heap[parentIndex];
            if (!event.runsBefore(parent)) {
                break;
            }
            heap[index] = parent;
            parent.heapIndex = index;
            index = parentIndex;
        }
        heap[index] = event;
        event.heapIndex = index;
    }

    private void siftDown(int index) {
        ScheduledEvent event = heap[index];
        int half = size >>> 1;
        while (index < half) {
            int child = 2 * index + 1;
            int right = child + 1;
            if (right < size && heap[right].runsBefore(heap[child])) {
                child = right;
            }
            if (!heap[child].runsBefore(event)) {
                break;
            }
            heap[index] = heap[child];
            heap[index].heapIndex = index;
            index = child;
        }
        heap[index] = event;
        event.heapIndex = index;
    }
}
