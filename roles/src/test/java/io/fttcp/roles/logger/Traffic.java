package io.fttcp.roles.logger;

import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Clock;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Seed;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.tcp.FourTuple;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The records a primary's wrappers make for a server's connections, as the retention rules read
 * them: a connection is finished once the application closed it and the client sent its FIN
 * after all its bytes and acknowledged our FIN. (Public: the primary's tests use it too.)
 */
public final class Traffic {
    static final int SERVER = 0x0a000001;
    static final FourTuple LISTENER = new FourTuple(SERVER, 80, 0, 0);
    static final int FIN = 0x01, PSH = 0x08, ACK = 0x10;

    private Traffic() {
    }

    static FourTuple client(int n) {
        return new FourTuple(SERVER, 80, 0xc0a80000 + n, 40000 + n);
    }

    /** One connection's life, in steps that can be interleaved with others'. */
    static final class Conversation {
        final FourTuple tuple;
        private final int clientIsn;
        private final int serverIsn;
        private final SplittableRandom random;
        private int clientBytes;
        private long serverBytes;

        Conversation(FourTuple tuple, SplittableRandom random) {
            this.tuple = tuple;
            this.random = random;
            this.clientIsn = random.nextInt();
            this.serverIsn = random.nextInt();
        }

        List<Record> open() {
            return List.of(new Connect(tuple, clientIsn, serverIsn, 1460, 1460, 7, 7, true, true, 1000, 5000, 65535),
                    new Accept(LISTENER, tuple), new Clock(tuple, Clock.Source.WALL_MILLIS, 1_700_000_000_000L + random.nextInt(1000)));
        }

        /** The client sends a request, the server reads it and answers. */
        List<Record> exchange(int requestBytes, int answerBytes) {
            byte[] payload = new byte[requestBytes];
            random.nextBytes(payload);
            List<Record> out = new ArrayList<>();
            out.add(new Segment(tuple, clientIsn + 1 + clientBytes, serverIsn + 1 + (int) serverBytes, ACK | PSH, 502, 5001, 1001, payload));
            clientBytes += requestBytes;
            out.add(new Read(tuple, requestBytes));
            out.add(new Write(tuple, serverBytes, answerBytes, random.nextLong()));
            serverBytes += answerBytes;
            out.add(new Heartbeat(System.nanoTime(), List.of(new Heartbeat.TsVal(tuple, 1002 + clientBytes))));
            return out;
        }

        /** The client ends its stream, the application closes, the client acknowledges our FIN: finished. */
        List<Record> finish() {
            int ourFinAcked = serverIsn + 1 + (int) serverBytes + 1;
            return List.of(new Segment(tuple, clientIsn + 1 + clientBytes, serverIsn + 1 + (int) serverBytes, ACK | FIN, 502, 5002, 1002, new byte[0]),
                    new Read(tuple, -1), new Close(tuple, Close.How.CLOSE),
                    new Segment(tuple, clientIsn + 1 + clientBytes + 1, ourFinAcked, ACK, 502, 5003, 1003, new byte[0]));
        }

        /** The application closes, but the client has not acknowledged our FIN yet: still live. */
        List<Record> halfClose() {
            return List.of(new Segment(tuple, clientIsn + 1 + clientBytes, serverIsn + 1 + (int) serverBytes, ACK | FIN, 502, 5002, 1002, new byte[0]),
                    new Read(tuple, -1), new Close(tuple, Close.How.CLOSE));
        }
    }

    /**
     * A server's records for {@code connections} conversations, interleaved at random, each
     * finished with probability {@code finishShare} (the others stay live), with a few global
     * records (seeds, clocks outside any connection) between.
     */
    public static List<Record> serverRecords(SplittableRandom random, int connections, double finishShare, int firstClient) {
        List<List<Record>> scripts = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Conversation c = new Conversation(client(firstClient + i), random);
            List<Record> script = new ArrayList<>(c.open());
            int exchanges = 1 + random.nextInt(4);
            for (int e = 0; e < exchanges; e++) script.addAll(c.exchange(1 + random.nextInt(2000), random.nextInt(5000)));
            if (random.nextDouble() < finishShare) {
                script.addAll(c.finish());
            } else if (random.nextBoolean()) {
                script.addAll(c.halfClose());
            }
            scripts.add(script);
        }
        List<Record> out = new ArrayList<>();
        int[] next = new int[connections];
        int left = scripts.stream().mapToInt(List::size).sum();
        while (left > 0) {
            int i = random.nextInt(connections);
            if (next[i] == scripts.get(i).size()) continue;
            if (next[i] == 0 && random.nextInt(3) == 0) out.add(new Seed(random.nextLong()));
            out.add(scripts.get(i).get(next[i]++));
            left--;
        }
        return out;
    }
}
