package io.fttcp.wrappers.ssw;

import io.fttcp.replication.record.Record;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A record sink whose backup acknowledges late: after appends, an acknowledgement of the
 * then-last LSN is scheduled a random time later (sometimes not at all, so later ones cover
 * several appends). Stability moves only when the test delivers due acknowledgements.
 */
final class LaggingLog implements RecordSink {
    private record Ack(long at, long lsn) {
    }

    final List<Record> records = new ArrayList<>();
    private final PriorityQueue<Ack> acks = new PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));
    private final SplittableRandom random;
    private final long maxDelay;
    private long stable;
    private long scheduled;

    LaggingLog(SplittableRandom random, long maxDelayNanos) {
        this.random = random;
        this.maxDelay = maxDelayNanos;
    }

    @Override
    public long append(Record record, long now) {
        records.add(record);
        return records.size();
    }

    @Override
    public long stableLsn() {
        return stable;
    }

    long lastLsn() {
        return records.size();
    }

    /** Maybe schedules the acknowledgement of what is appended now; {@code surely} when idle (so the run ends). */
    void maybeScheduleAck(long now, boolean surely) {
        if (lastLsn() <= scheduled) return;
        if (!surely && random.nextInt(3) == 0) return;
        scheduled = lastLsn();
        acks.add(new Ack(now + random.nextLong(maxDelay + 1), scheduled));
    }

    long nextAckAt() {
        Ack a = acks.peek();
        return a == null ? Long.MAX_VALUE : a.at;
    }

    /** Applies acknowledgements due at {@code now}; returns true if stability advanced. */
    boolean deliverDue(long now) {
        long before = stable;
        while (!acks.isEmpty() && acks.peek().at <= now) {
            stable = Math.max(stable, acks.poll().lsn);
        }
        return stable != before;
    }
}
