package io.fttcp.replication.retention;

import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Checkpoint;
import io.fttcp.replication.record.Clock;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Ready;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Seed;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.tcp.FourTuple;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A seeded stream of a server's records: many connections interleaved, each with its handshake,
 * client data arriving out of order and duplicated (sometimes with a hole never filled), the
 * application's reads, writes, clocks and seeds, closes before or after the client's FIN, the
 * client's acknowledgements (of our FIN too), resets, ISNs near the 2^32 wrap, four-tuples
 * reused, plus polls, heartbeats, global records (checkpoints naming no connection among them) and
 * records for unknown connections.
 */
final class RetentionTraffic {
    static final int SERVER = 0x0a000001;
    static final FourTuple LISTENER = new FourTuple(SERVER, 80, 0, 0);
    static final FourTuple NOTHING = new FourTuple(0, 0, 0, 0);
    static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

    private final SplittableRandom random;
    private final List<LoggedRecord> out = new ArrayList<>();
    private final List<ArrayDeque<Record>> active = new ArrayList<>();
    private final Map<FourTuple, ArrayDeque<Record>> byTuple = new HashMap<>();
    private long lsn;

    RetentionTraffic(SplittableRandom random) {
        this.random = random;
    }

    /** {@code connections} connections' records with the rest mixed in, in LSN order (with gaps). */
    static List<LoggedRecord> generate(SplittableRandom random, int connections) {
        return new RetentionTraffic(random).run(connections);
    }

    private List<LoggedRecord> run(int connections) {
        int started = 0;
        while (started < connections || !active.isEmpty()) {
            int r = random.nextInt(100);
            if (started < connections && (r < 6 || active.isEmpty())) {
                start();
                started++;
            } else if (r < 9) {
                emit(global());
            } else if (r < 12) {
                emit(ready());
            } else if (r < 14) {
                emit(heartbeat());
            } else if (r < 15) {
                emit(stray());
            } else if (!active.isEmpty()) {
                ArrayDeque<Record> script = active.get(random.nextInt(active.size()));
                emit(script.poll());
                if (script.isEmpty()) {
                    active.remove(script);
                }
            }
        }
        return out;
    }

    private void emit(Record record) {
        lsn += random.nextInt(20) == 0 ? 1 + random.nextInt(5) : 1;
        out.add(new LoggedRecord(lsn, record));
    }

    private FourTuple tuple() {
        return new FourTuple(SERVER, 80, 0xc0a80000 + 1 + random.nextInt(2), 40000 + random.nextInt(10));
    }

    private void start() {
        FourTuple tuple = tuple();
        for (int tries = 0; tries < 5 && byTuple.containsKey(tuple) && random.nextInt(8) != 0; tries++) {
            tuple = tuple();
        }
        ArrayDeque<Record> old = byTuple.get(tuple);
        if (old != null) {
            active.remove(old); // the client abandoned it and reused the port
        }
        ArrayDeque<Record> script = new ArrayDeque<>(connectionScript(tuple));
        Record connect = script.poll();
        byTuple.put(tuple, script);
        emit(connect);
        if (!script.isEmpty()) {
            active.add(script);
        }
    }

    private int isn() {
        return switch (random.nextInt(3)) {
            case 0 -> -1 - random.nextInt(3000); // wraps within the stream
            case 1 -> random.nextInt();
            default -> random.nextInt(1000);
        };
    }

    /** One connection's records in an order its own causality allows. */
    List<Record> connectionScript(FourTuple tuple) {
        int clientIsn = isn();
        int serverIsn = isn();
        boolean timestamps = random.nextBoolean();
        Connect connect = new Connect(tuple, clientIsn, serverIsn, 1460, 1460, 7, 7, true, timestamps,
                timestamps ? random.nextInt() : 0, timestamps ? random.nextInt() : 0, 65535);
        // The client's data, cut in pieces, sent in a shuffled order with duplicates and maybe a hole.
        byte[] data = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(3000)];
        random.nextBytes(data);
        List<int[]> pieces = new ArrayList<>(); // {offset, length}
        for (int at = 0; at < data.length; ) {
            int n = Math.min(data.length - at, 1 + random.nextInt(400));
            pieces.add(new int[]{at, n});
            at += n;
        }
        boolean finOnLast = !pieces.isEmpty() && random.nextBoolean();
        boolean clientFins = random.nextInt(8) != 0;
        if (random.nextInt(10) == 0 && !pieces.isEmpty()) {
            pieces.remove(random.nextInt(pieces.size())); // lost for good: never contiguous
            finOnLast = false;
        }
        List<int[]> sends = new ArrayList<>(pieces);
        for (int i = 0; i < sends.size() / 3 + 1 && !pieces.isEmpty(); i++) {
            if (random.nextInt(3) == 0) sends.add(random.nextInt(sends.size() + 1), pieces.get(random.nextInt(pieces.size())));
        }
        for (int i = 1; i < sends.size(); i++) {
            if (random.nextInt(4) == 0) Collections.swap(sends, i, i - 1 - random.nextInt(i));
        }
        ArrayDeque<Record> client = new ArrayDeque<>();
        int tsVal = random.nextInt();
        int[] finPiece = finOnLast ? pieces.getLast() : null;
        // Client segments are made when the merge below reaches them, so their ACK is what the client could know.
        List<Object> clientPlan = new ArrayList<>(sends);
        if (clientFins && !finOnLast) clientPlan.add(random.nextInt(clientPlan.size() + 1), "FIN");
        boolean reset = random.nextInt(10) == 0;
        if (reset) clientPlan.add(random.nextInt(clientPlan.size() + 1), "RST");
        if (random.nextInt(10) == 0) clientPlan.add(random.nextInt(clientPlan.size() + 1), "GARBAGE");

        ArrayDeque<Record> app = new ArrayDeque<>();
        if (random.nextInt(20) != 0) app.add(new Accept(LISTENER, tuple));
        long written = 0;
        List<Record> appBody = new ArrayList<>();
        int steps = random.nextInt(10);
        for (int i = 0; i < steps; i++) {
            switch (random.nextInt(5)) {
                case 0 -> appBody.add(new Read(tuple, random.nextInt(600) - 1));
                case 1 -> {
                    int n = random.nextInt(10) == 0 ? -1 : random.nextInt(2000);
                    appBody.add(new Write(tuple, written, n, random.nextLong()));
                    if (n > 0) written += n;
                }
                case 2 -> appBody.add(new Clock(tuple, Clock.Source.MONOTONIC_NANOS, random.nextLong()));
                case 3 -> appBody.add(new Seed(tuple, random.nextLong()));
                default -> appBody.add(new Write(tuple, written, 0, 0));
            }
        }
        app.addAll(appBody);
        int closeKind = random.nextInt(10);
        if (closeKind == 0) app.add(new Close(tuple, Close.How.SHUTDOWN_OUTPUT));
        if (closeKind == 1) app.add(new Close(tuple, Close.How.SHUTDOWN_INPUT));
        boolean appCloses = closeKind != 9;
        if (appCloses) app.add(new Close(tuple, Close.How.CLOSE));

        // Merge: the application's records and the client's segments, the latter acknowledging what was written so far.
        List<Record> script = new ArrayList<>();
        script.add(connect);
        long writtenSoFar = 0;
        boolean ourFin = false;
        while (!app.isEmpty() || !clientPlan.isEmpty()) {
            if (!app.isEmpty() && (clientPlan.isEmpty() || random.nextBoolean())) {
                Record r = app.poll();
                script.add(r);
                if (r instanceof Write w && w.count() > 0) writtenSoFar = w.offset() + w.count();
                if (r instanceof Close c && c.how() != Close.How.SHUTDOWN_INPUT) ourFin = true;
            } else {
                Object step = clientPlan.removeFirst();
                long ackOffset = random.nextInt(4) == 0 ? random.nextLong(writtenSoFar + 1) : writtenSoFar + (ourFin && random.nextBoolean() ? 1 : 0);
                int ack = serverIsn + 1 + (int) ackOffset;
                tsVal += random.nextInt(100);
                if (step instanceof int[] piece) {
                    byte[] payload = java.util.Arrays.copyOfRange(data, piece[0], piece[0] + piece[1]);
                    int flags = ACK | PSH | (piece == finPiece && clientFins ? FIN : 0);
                    script.add(new Segment(tuple, clientIsn + 1 + piece[0], ack, flags, 1000 + random.nextInt(60000), tsVal, 0, payload));
                } else if (step.equals("FIN")) {
                    script.add(new Segment(tuple, clientIsn + 1 + data.length, ack, FIN | ACK, 65535, tsVal, 0, new byte[0]));
                } else if (step.equals("RST")) {
                    script.add(new Segment(tuple, clientIsn + 1 + random.nextInt(data.length + 1), 0, RST, 0, 0, 0, new byte[0]));
                } else {
                    // Before the client's SYN: ignored, ACK and all.
                    script.add(new Segment(tuple, clientIsn - 1 - random.nextInt(1000), serverIsn + 1 + (int) writtenSoFar + 1, ACK | FIN, 0, 0, 0, new byte[3]));
                }
            }
        }
        // The client acknowledges our FIN (or not), maybe more than once.
        if (ourFin && random.nextInt(6) != 0) {
            int n = 1 + random.nextInt(2);
            for (int i = 0; i < n; i++) {
                script.add(new Segment(tuple, clientIsn + 1 + data.length + (clientFins ? 1 : 0), serverIsn + 1 + (int) writtenSoFar + 1,
                        ACK, 65535, tsVal + 1, 0, new byte[0]));
            }
        }
        // Sometimes a late retransmission of the client's FIN (after the connection may be finished).
        if (clientFins && random.nextInt(5) == 0) {
            script.add(new Segment(tuple, clientIsn + 1 + data.length, serverIsn + 1 + (int) writtenSoFar + 1, FIN | ACK, 65535, tsVal + 2, 0, new byte[0]));
        }
        return script;
    }

    private Record global() {
        return switch (random.nextInt(5)) {
            case 0 -> new Clock(Clock.Source.WALL_MILLIS, random.nextLong());
            case 1 -> new Seed(random.nextLong());
            case 2 -> new Accept(LISTENER, NOTHING);
            case 3 -> new Clock(LISTENER, Clock.Source.MONOTONIC_NANOS, random.nextLong());
            default -> switch (random.nextInt(10)) {
                case 0 -> new Close(LISTENER, Close.How.CLOSE);
                case 1 -> new Checkpoint(NOTHING, new byte[]{(byte) random.nextInt()}, List.of()); // an application with no connection
                default -> new Seed(random.nextLong());
            };
        };
    }

    private List<FourTuple> someTuples() {
        List<FourTuple> known = new ArrayList<>(byTuple.keySet());
        known.sort(java.util.Comparator.comparingInt(FourTuple::remoteAddress).thenComparingInt(FourTuple::remotePort));
        List<FourTuple> some = new ArrayList<>();
        int n = random.nextInt(4);
        for (int i = 0; i < n && !known.isEmpty(); i++) {
            some.add(known.get(random.nextInt(known.size())));
        }
        if (random.nextInt(10) == 0) some.add(strayTuple());
        return some;
    }

    private Record ready() {
        List<Ready.Entry> entries = new ArrayList<>();
        for (FourTuple t : someTuples()) entries.add(new Ready.Entry(t, 1));
        if (random.nextInt(3) == 0) entries.add(random.nextInt(entries.size() + 1), new Ready.Entry(LISTENER, 16));
        return new Ready(random.nextInt(2), entries);
    }

    private Record heartbeat() {
        List<Heartbeat.TsVal> entries = new ArrayList<>();
        for (FourTuple t : someTuples()) entries.add(new Heartbeat.TsVal(t, random.nextInt()));
        return new Heartbeat(random.nextLong(), entries);
    }

    private FourTuple strayTuple() {
        return new FourTuple(SERVER, 80, 0xc0a90000 + random.nextInt(3), 50000 + random.nextInt(3));
    }

    private Record stray() {
        FourTuple t = strayTuple();
        return switch (random.nextInt(3)) {
            case 0 -> new Segment(t, random.nextInt(), random.nextInt(), ACK, 100, 0, 0, new byte[random.nextInt(5)]);
            case 1 -> new Read(t, 10);
            default -> new Write(t, 0, 10, 0);
        };
    }
}
