package io.fttcp.replication;

import io.fttcp.replication.codec.FrameHandler;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;

import java.util.ArrayList;
import java.util.List;

/** Keeps every decoded frame, in order, as text for control frames. */
public class CollectingHandler implements FrameHandler {
    public final List<Long> lsns = new ArrayList<>();
    public final List<Record> records = new ArrayList<>();
    public final List<Object> controls = new ArrayList<>();

    @Override
    public void onRecord(long lsn, Record record) {
        lsns.add(lsn);
        records.add(record);
    }

    @Override
    public void onHandshake(Handshake handshake) {
        controls.add(handshake);
    }

    @Override
    public void onReject(String reason) {
        controls.add("reject " + reason);
    }

    @Override
    public void onAck(long lsn, long echoNanos) {
        controls.add("ack " + lsn + " " + echoNanos);
    }

    @Override
    public void onHeartbeat(long lsn, long sentAtNanos, long echoNanos) {
        controls.add("heartbeat " + lsn + " " + sentAtNanos + " " + echoNanos);
    }

    @Override
    public void onCaughtUp(long lsn) {
        controls.add("caught-up " + lsn);
    }

    @Override
    public void onIncomplete(long lsn) {
        controls.add("incomplete " + lsn);
    }

    /** The roster a catch-up of {@code retained} must send: the latest CONNECT of each four-tuple, in the order of those. */
    public static List<RosterEntry> rosterOf(List<LoggedRecord> retained) {
        // Worked out here, not with the stream's own rule, so that the tests check that rule.
        java.util.Map<io.fttcp.stack.tcp.FourTuple, RosterEntry> latest = new java.util.LinkedHashMap<>();
        for (LoggedRecord r : retained) {
            if (r.record() instanceof Connect c) {
                latest.remove(c.tuple());
                latest.put(c.tuple(), new RosterEntry(c.tuple(), c.clientIsn(), c.serverIsn()));
            }
        }
        return List.copyOf(latest.values());
    }

    /** The roster's entries, in order (kept apart from {@link #controls}: a catch-up's roster is as long as its connections). */
    public final List<RosterEntry> roster = new ArrayList<>();

    @Override
    public void onRoster(long lsn, List<RosterEntry> entries) {
        roster.addAll(entries);
    }
}
