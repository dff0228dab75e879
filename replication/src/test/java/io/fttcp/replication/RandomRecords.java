package io.fttcp.replication;

import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Checkpoint;
import io.fttcp.replication.record.Clock;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Ready;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Seed;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.tcp.FourTuple;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Seeded random records of every kind, with extreme values mixed in. */
public final class RandomRecords {
    public static final int KINDS = 11;
    private final SplittableRandom random;
    private final int maxPayload;

    public RandomRecords(SplittableRandom random, int maxPayload) {
        this.random = random;
        this.maxPayload = maxPayload;
    }

    public Record next() {
        return of(random.nextInt(KINDS));
    }

    /** A record of kind number {@code kind} (0..10, in the order of Record's permits). */
    public Record of(int kind) {
        return switch (kind) {
            case 0 -> new Connect(tuple(), anInt(), anInt(), anInt(), anInt(), anInt(), anInt(), random.nextBoolean(),
                    random.nextBoolean(), anInt(), anInt(), anInt());
            case 1 -> {
                byte[] payload = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(maxPayload + 1)];
                random.nextBytes(payload);
                yield new Segment(tuple(), anInt(), anInt(), anInt(), anInt(), anInt(), anInt(), payload);
            }
            case 2 -> new Accept(tuple(), tuple());
            case 3 -> new Read(tuple(), anInt());
            case 4 -> {
                List<Ready.Entry> entries = new ArrayList<>();
                for (int i = random.nextInt(6); i > 0; i--) {
                    entries.add(new Ready.Entry(tuple(), anInt()));
                }
                yield new Ready(anInt(), entries);
            }
            case 5 -> new Write(tuple(), aLong(), anInt(), aLong());
            case 6 -> new Clock(context(), Clock.Source.values()[random.nextInt(Clock.Source.values().length)], aLong());
            case 7 -> new Seed(context(), aLong());
            case 8 -> new Close(tuple(), Close.How.values()[random.nextInt(Close.How.values().length)]);
            case 9 -> {
                List<Heartbeat.TsVal> entries = new ArrayList<>();
                for (int i = random.nextInt(6); i > 0; i--) {
                    entries.add(new Heartbeat.TsVal(tuple(), anInt()));
                }
                yield new Heartbeat(aLong(), entries);
            }
            case 10 -> {
                byte[] state = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(maxPayload + 1)];
                random.nextBytes(state);
                List<Checkpoint.Entry> entries = new ArrayList<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    byte[] output = new byte[random.nextInt(3) == 0 ? 0 : random.nextInt(maxPayload / 4 + 1)];
                    random.nextBytes(output);
                    long start = random.nextInt(4) == 0 ? 0 : random.nextLong(Long.MAX_VALUE / 2);
                    boolean closed = random.nextInt(3) == 0;
                    entries.add(new Checkpoint.Entry(new FourTuple(anInt(), random.nextInt(65536), anInt() | 1, random.nextInt(65536)),
                            random.nextInt(4) == 0 ? 0 : random.nextLong(Long.MAX_VALUE), start + output.length,
                            closed || random.nextBoolean(), closed, start, output));
                }
                yield new Checkpoint(context(), state, entries);
            }
            default -> throw new IllegalArgumentException("kind " + kind);
        };
    }

    /** A runtime value's context: a connection, or now and then none. */
    private FourTuple context() {
        return random.nextInt(4) == 0 ? Clock.NO_CONTEXT : tuple();
    }

    public FourTuple tuple() {
        return new FourTuple(anInt(), random.nextInt(65536), anInt(), random.nextInt(65536));
    }

    private int anInt() {
        return switch (random.nextInt(8)) {
            case 0 -> Integer.MIN_VALUE;
            case 1 -> Integer.MAX_VALUE;
            case 2 -> -1;
            case 3 -> 0;
            default -> random.nextInt();
        };
    }

    private long aLong() {
        return switch (random.nextInt(8)) {
            case 0 -> Long.MIN_VALUE;
            case 1 -> Long.MAX_VALUE;
            case 2 -> -1;
            case 3 -> 0;
            default -> random.nextLong();
        };
    }
}
