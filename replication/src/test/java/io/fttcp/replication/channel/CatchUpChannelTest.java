package io.fttcp.replication.channel;

import io.fttcp.replication.RandomRecords;
import io.fttcp.replication.Seeds;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.Role;
import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Seed;
import io.fttcp.replication.stream.OutOfOrderRecordException;
import io.fttcp.replication.stream.RecordStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

import static io.fttcp.replication.channel.ChannelTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/** A fresh backup joining a primary that already dropped stable records: the catch-up over real sockets. */
class CatchUpChannelTest {
    @RegisterExtension
    final LoopbackListener loopback = new LoopbackListener();

    private record Joined(PrimaryChannel primary, Recorder primaryEvents, BackupChannel backup, Recorder backupEvents) {
    }

    private Joined join(ChannelConfig config, RecordStream stream, LongFunction<List<LoggedRecord>> catchUp, long backupHeld)
            throws Exception {
        Recorder primaryEvents = new Recorder();
        CompletableFuture<PrimaryChannel> accepting = acceptingPrimary(loopback.server(), config, 1, stream, catchUp, primaryEvents);
        Recorder backupEvents = new Recorder();
        backupEvents.nextLsn.set(backupHeld + 1);
        BackupChannel backup = BackupChannel.connect(loopback.address(), null, CONNECT, config, 1,
                backupHeld, backupEvents);
        loopback.closeAfter(backup);
        PrimaryChannel primary = accepting.get(5, TimeUnit.SECONDS);
        loopback.closeAfter(primary);
        return new Joined(primary, primaryEvents, backup, backupEvents);
    }

    private static void assertOpen(Joined j, String where) {
        assertFalse(j.primaryEvents.closed.isDone(), () -> where + ": primary closed: " + j.primaryEvents.closed.getNow(null));
        assertFalse(j.backupEvents.closed.isDone(), () -> where + ": backup closed: " + j.backupEvents.closed.getNow(null));
    }

    /**
     * Seeded: retained sets with random gaps, many times the in-flight window (so the catch-up
     * itself must wait for acknowledgements), then records the primary had not sent yet, then live
     * appends; the backup gets exactly the retained records, CAUGHT_UP, then a contiguous stream.
     */
    @Test
    void freshBackupCatchesUpFromRetainedRecordsWithGaps() throws Exception {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        String where = "seed " + seed;
        long stable = 3000 + random.nextInt(4000);
        List<LoggedRecord> retained = retained(random, stable, 0.3 + 0.6 * random.nextDouble());
        assertTrue(frameBytes(retained) > 2 * WINDOWED.maxInFlightBytes(), where + ": catch-up too small to test the window");
        RecordStream stream = WINDOWED.newRecordStream();
        stream.resetTo(stable);
        RandomRecords gen = new RandomRecords(random, 3000);
        List<Record> pending = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Record r = gen.next();
            pending.add(r);
            stream.append(r);
        }
        List<Long> asked = Collections.synchronizedList(new ArrayList<>());
        Joined j = join(WINDOWED, stream, s -> {
            asked.add(s);
            return retained;
        }, 0);

        assertEquals(stable + 1, j.backupEvents.connected.get(5, TimeUnit.SECONDS).lsn(), where);
        assertEquals(stable, j.backupEvents.caughtUp.get(20, TimeUnit.SECONDS), where);
        assertEquals(List.of(stable), asked, where);
        await("the pending records stable (" + where + ")", 20_000, () -> {
            assertOpen(j, where);
            return j.primary.stableLsn() == stable + 100;
        });
        List<Record> live = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Record r = gen.next();
            live.add(r);
            assertEquals(stable + 101 + i, j.primary.append(r), where);
        }
        await("the live records stable (" + where + ")", 20_000, () -> {
            assertOpen(j, where);
            return j.primary.stableLsn() == stable + 200;
        });

        assertNull(j.backupEvents.orderError, where);
        int n = retained.size();
        assertEquals(retained.stream().map(LoggedRecord::lsn).toList(), j.backupEvents.lsns.subList(0, n), where);
        assertEquals(retained.stream().map(LoggedRecord::record).toList(), j.backupEvents.records.subList(0, n), where);
        List<Record> after = new ArrayList<>(pending);
        after.addAll(live);
        assertEquals(after, j.backupEvents.records.subList(n, j.backupEvents.records.size()), where);
        List<RosterEntry> roster = io.fttcp.replication.CollectingHandler.rosterOf(retained);
        assertFalse(roster.isEmpty(), where + ": no connection to name");
        assertEquals(roster, j.backupEvents.roster, where + ": the roster names every connection of the catch-up, before its records");
        List<String> events = j.backupEvents.events;
        assertEquals(List.of("connected", "roster", "records", "caught-up " + stable, "records"), events.subList(0, 5), where);
        assertEquals(stable + 200, j.backup.heldLsn(), where);
        assertEquals(stable + 200, j.primaryEvents.lastAck.get(), where);
        assertNull(j.primaryEvents.orderError, where);
    }

    @Test
    void emptyCatchUpIsJustCaughtUp() throws Exception {
        RecordStream stream = TOLERANT.newRecordStream();
        stream.resetTo(50);
        Joined j = join(TOLERANT, stream, s -> List.of(), 0);
        assertEquals(50, j.backupEvents.caughtUp.get(5, TimeUnit.SECONDS));
        assertEquals(List.of("connected", "caught-up 50"), j.backupEvents.events);
        assertEquals(51, j.primary.append(new Seed(51)));
        await("LSN 51 stable", 5000, () -> j.primary.stableLsn() == 51);
        assertEquals(List.of(51L), j.backupEvents.lsns);
        assertNull(j.backupEvents.orderError);
    }

    @Test
    void withoutACatchUpSourceAFreshBackupIsRefused() throws Exception {
        RecordStream stream = TOLERANT.newRecordStream();
        stream.resetTo(50);
        Joined j = join(TOLERANT, stream, null, 0);
        CloseReason atPrimary = j.primaryEvents.closed.get(2, TimeUnit.SECONDS);
        assertEquals(CloseReason.Kind.HANDSHAKE_REFUSED, atPrimary.kind(), atPrimary.toString());
        assertTrue(atPrimary.message().contains("full catch-up"), atPrimary.message());
        CloseReason atBackup = j.backupEvents.closed.get(2, TimeUnit.SECONDS);
        assertEquals(CloseReason.Kind.HANDSHAKE_REFUSED, atBackup.kind(), atBackup.toString());
        assertFalse(j.backupEvents.caughtUp.isDone());
    }

    /** Nothing dropped, or a backup resuming from what it holds: onCaughtUp comes right after onConnected. */
    @Test
    void withoutACatchUpOnCaughtUpFollowsOnConnected() throws Exception {
        RecordStream stream = TOLERANT.newRecordStream();
        List<Long> asked = Collections.synchronizedList(new ArrayList<>());
        Joined first = join(TOLERANT, stream, s -> {
            asked.add(s);
            return List.of();
        }, 0);
        assertEquals(0, first.backupEvents.caughtUp.get(5, TimeUnit.SECONDS));
        assertEquals(List.of("connected", "caught-up 0"), first.backupEvents.events);
        for (int i = 1; i <= 100; i++) {
            first.primary.append(new Seed(i));
        }
        await("100 stable", 5000, () -> first.primary.stableLsn() == 100);
        first.backup.closeAbruptly();
        first.primaryEvents.closed.get(2, TimeUnit.SECONDS);

        Joined again = join(TOLERANT, stream, s -> {
            asked.add(s);
            return List.of();
        }, 100);
        assertEquals(100, again.backupEvents.caughtUp.get(5, TimeUnit.SECONDS));
        assertEquals(List.of("connected", "caught-up 100"), again.backupEvents.events);
        again.primary.append(new Seed(101));
        await("101 stable", 5000, () -> again.primary.stableLsn() == 101);
        assertEquals(List.of(101L), again.backupEvents.lsns);
        assertEquals(List.of(), asked, "a backup that needs no catch-up is not given one");
    }

    private record Misbehaviour(String name, long backupHeld, long primaryLsn, List<Object> frames, CloseReason.Kind kind,
                                String message, List<Long> delivered) {
    }

    /** A fake primary breaks the catch-up rules: the backup closes with a clear reason, having delivered only what was valid. */
    @Test
    void catchUpProtocolErrorsCloseTheBackup() throws Exception {
        List<Misbehaviour> cases = List.of(
                new Misbehaviour("catch-up record at the announced LSN", 0, 10, List.of(2L, 5L, 10L),
                        CloseReason.Kind.PROTOCOL_VIOLATION, "at or above 10", List.of(2L, 5L)),
                new Misbehaviour("CAUGHT_UP without a catch-up", 0, 1, List.of("caught-up 0"),
                        CloseReason.Kind.PROTOCOL_VIOLATION, "no catch-up was announced", List.of()),
                new Misbehaviour("gap after CAUGHT_UP", 0, 10, List.of(3L, "caught-up 9", 10L, 12L),
                        CloseReason.Kind.PROTOCOL_VIOLATION, "gap of 1 records", List.of(3L, 10L)),
                new Misbehaviour("CAUGHT_UP at the wrong LSN", 0, 10, List.of(3L, "caught-up 7"),
                        CloseReason.Kind.PROTOCOL_VIOLATION, "expected CAUGHT_UP at 9", List.of(3L)),
                new Misbehaviour("catch-up going backwards", 0, 10, List.of(5L, 3L),
                        CloseReason.Kind.PROTOCOL_VIOLATION, "duplicate or reordering", List.of(5L)),
                new Misbehaviour("second CAUGHT_UP", 0, 10, List.of("caught-up 9", "caught-up 9"),
                        CloseReason.Kind.PROTOCOL_VIOLATION, "no catch-up was announced", List.of()),
                new Misbehaviour("ROSTER without a catch-up", 0, 1, List.of("roster 0"),
                        CloseReason.Kind.PROTOCOL_VIOLATION, "without a catch-up", List.of()),
                new Misbehaviour("ROSTER after the catch-up's first record", 0, 10, List.of("roster 9", 3L, "roster 9"),
                        CloseReason.Kind.PROTOCOL_VIOLATION, "after the catch-up's first record", List.of(3L)),
                new Misbehaviour("INCOMPLETE from a primary", 0, 10, List.of("incomplete 9"),
                        CloseReason.Kind.PROTOCOL_VIOLATION, "only a logger serving a recovery", List.of()),
                new Misbehaviour("catch-up offered to a backup that holds records", 5, 10, List.of(),
                        CloseReason.Kind.HANDSHAKE_REFUSED, "holds up to 5", List.of()));
        for (Misbehaviour m : cases) {
            try (ServerSocket fakePrimary = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                Recorder events = new Recorder();
                BackupChannel backup = BackupChannel.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), fakePrimary.getLocalPort()),
                        null, CONNECT, TOLERANT, 1, m.backupHeld, events);
                loopback.closeAfter(backup);
                try (RawPeer primary = new RawPeer(fakePrimary.accept())) {
                    assertTrue(primary.awaitControls(1, 2000), m.name);
                    primary.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.PRIMARY, "test-cluster", 1, m.primaryLsn)));
                    for (Object f : m.frames) {
                        String control = f instanceof String s ? s : "";
                        primary.send(f instanceof Long lsn ? RawPeer.record(lsn, new Seed(lsn))
                                : control.startsWith("roster ") ? RawPeer.roster(Long.parseLong(control.substring("roster ".length())))
                                : control.startsWith("incomplete ") ? RawPeer.incomplete(Long.parseLong(control.substring("incomplete ".length())))
                                : RawPeer.caughtUp(Long.parseLong(control.substring("caught-up ".length()))));
                    }
                    CloseReason reason = events.closed.get(3, TimeUnit.SECONDS);
                    assertEquals(m.kind, reason.kind(), m.name + ": " + reason);
                    assertTrue(reason.message().contains(m.message), m.name + ": " + reason.message());
                    assertEquals(m.delivered, events.lsns, m.name);
                    boolean recordOutOfOrder = m.message.contains("at or above") || m.message.contains("gap")
                            || m.message.contains("reordering");
                    assertEquals(recordOutOfOrder, reason.cause() instanceof OutOfOrderRecordException, m.name + ": " + reason.cause());
                    // The backup told the (live) fake primary why.
                    primary.awaitControls(primary.received.controls.size() + 10, 500);
                    assertTrue(primary.received.controls.stream().anyMatch(c -> c.toString().startsWith("reject") && c.toString().contains(m.message)),
                            m.name + ": frames the primary got: " + primary.received.controls);
                }
            }
        }
    }

    @Test
    void caughtUpSentToAPrimaryIsAProtocolViolation() throws Exception {
        Recorder events = new Recorder();
        CompletableFuture<PrimaryChannel> accepting = acceptingPrimary(loopback.server(), TOLERANT, 1, TOLERANT.newRecordStream(), events);
        try (RawPeer backup = new RawPeer(new java.net.Socket(InetAddress.getLoopbackAddress(), loopback.port()))) {
            backup.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.BACKUP, "test-cluster", 1, 0)));
            loopback.closeAfter(accepting.get(5, TimeUnit.SECONDS));
            events.connected.get(2, TimeUnit.SECONDS);
            backup.send(RawPeer.caughtUp(0));
            CloseReason reason = events.closed.get(2, TimeUnit.SECONDS);
            assertEquals(CloseReason.Kind.PROTOCOL_VIOLATION, reason.kind(), reason.toString());
            assertTrue(reason.message().contains("CAUGHT_UP"), reason.message());
        }
    }
}
