package io.fttcp.wrappers.nsw;

import io.fttcp.replication.record.Record;
import io.fttcp.stack.tcp.FourTuple;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Stands in for the replication stream and the south side: records get LSNs 1, 2, ...; output
 * commit requirements and the stack's writes and FINs are noted in one timeline, so tests can
 * check their order. Optionally forwards each record (a hot backup fed as the primary runs).
 */
final class PrimaryRecorder implements DeterminantLog, OutputCommitSink {

    sealed interface Event permits Appended, Required, InnerWrite, InnerFin {
    }

    /** @param awaited appended as a record something waits for ({@link DeterminantLog#append(Record, boolean)}) */
    record Appended(long lsn, Record record, boolean awaited) implements Event {
    }

    /** @param lastLsnAtCall the highest LSN appended when the requirement was made */
    record Required(FourTuple connection, long start, long end, long lsn, long lastLsnAtCall) implements Event {
    }

    /** The stack was about to be handed {@code wanted} bytes at {@code offset}. */
    record InnerWrite(FourTuple connection, long offset, int wanted) implements Event {
    }

    /** The stack was about to be told to send a FIN at {@code offset}. */
    record InnerFin(FourTuple connection, long offset) implements Event {
    }

    private final List<Event> events = new ArrayList<>();
    private final List<Record> records = new ArrayList<>();
    private final Consumer<Record> forward;

    PrimaryRecorder(Consumer<Record> forward) {
        this.forward = forward;
    }

    PrimaryRecorder() {
        this(r -> { });
    }

    @Override
    public synchronized long append(Record record, boolean awaited) {
        records.add(record);
        long lsn = records.size();
        events.add(new Appended(lsn, record, awaited));
        forward.accept(record);
        return lsn;
    }

    @Override
    public synchronized void requireStable(FourTuple connection, long start, long end, long lsn) {
        events.add(new Required(connection, start, end, lsn, records.size()));
    }

    synchronized void note(Event event) {
        events.add(event);
    }

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    synchronized List<Record> records() {
        return List.copyOf(records);
    }
}
