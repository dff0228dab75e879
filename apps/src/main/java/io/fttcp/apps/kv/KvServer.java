package io.fttcp.apps.kv;

import io.fttcp.api.Checkpointable;
import io.fttcp.api.Network;
import io.fttcp.api.Poller;
import io.fttcp.apps.CheckpointingLoop;
import io.fttcp.apps.LineSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * A line-protocol key-value store on one poller loop, whose values outlive connections: the
 * {@link Checkpointable} example. Commands, one per line: {@code SET k v} (answers {@code OK}),
 * {@code GET k} (the value, or {@code NIL}), {@code INCR k} (the new number; a missing key counts
 * from 0, a value that is not a number answers {@code ERR not a number}, one at the largest long
 * {@code ERR increment would overflow}); anything else answers
 * {@code ERR unknown command}. A client ending its stream gets its last answers, then the close.
 * A client that does not read its answers is not read from either while {@link #MAX_PENDING}
 * bytes of them wait.
 *
 * <p>Every {@code checkpointEvery} commands it asks the runtime for a checkpoint, at the end of a
 * loop iteration, with its whole state: the keys and values, and for each connection its
 * unfinished line, the answers not yet written, and whether the client ended its stream. A server
 * recovering from a log that starts at a checkpoint continues from there ({@link #restore}).
 */
public final class KvServer extends CheckpointingLoop {

    private static final Logger log = LoggerFactory.getLogger(KvServer.class);
    /** Longest command line; a longer one closes its connection. */
    static final int MAX_LINE = 4096;
    /**
     * Answers that may wait for a client: beyond this the server answers and reads no more of its
     * commands until it has read some answers (a client that never reads cannot fill the memory).
     */
    static final int MAX_PENDING = 64 * 1024;

    private final TreeMap<String, String> values = new TreeMap<>();
    private volatile int connectionCount;

    private KvServer(Network network, InetSocketAddress address, int checkpointEvery) throws IOException {
        super(network, address, 128, checkpointEvery, "kv", log);
    }

    /** Listens on {@code address} and serves from a new thread, restored from a checkpoint if the runtime has one. */
    public static KvServer start(Network network, InetSocketAddress address, int checkpointEvery) throws IOException {
        KvServer server = new KvServer(network, address, checkpointEvery);
        server.startLoop();
        return server;
    }

    /** Connections open now. */
    public int connectionCount() {
        return connectionCount;
    }

    @Override
    protected int interest(LineSession s) {
        // Not OP_READ once the client ended (its end of stream stays readable: the loop would spin).
        boolean reading = !s.clientEnded() && s.pending.size() < MAX_PENDING;
        return (reading ? Poller.OP_READ : 0) | (s.pending.size() > 0 ? Poller.OP_WRITE : 0);
    }

    /** Reads what is there, answers every whole line, writes what fits, closes once the client ended and has every answer. */
    @Override
    protected void serve(LineSession s) {
        try {
            if (!s.clientEnded() && s.pending.size() < MAX_PENDING) {
                ByteBuffer buffer = ByteBuffer.allocate(MAX_LINE);
                int n = s.socket().read(buffer);
                if (n < 0) {
                    s.clientEnds();
                } else if (n > 0) {
                    s.partialLine.write(buffer.array(), 0, n);
                }
            }
            // Commands held back while answers waited are answered as the client reads the answers.
            do {
                answerLines(s);
                s.writePending();
            } while (s.pending.size() < MAX_PENDING && hasWholeLine(s.partialLine.toByteArray()));
            if (s.pending.size() == 0 && s.clientEnded()) {
                drop(s);
                return;
            }
            updateInterest(s);
        } catch (IOException e) {
            log.debug("{}: {}", s.name, e.toString());
            drop(s);
        }
    }

    @Override
    protected void endOfIteration() {
        connectionCount = sessions.size();
    }

    /** Answers the whole lines received, until {@link #MAX_PENDING} bytes of answers wait; the rest stay for later. */
    private void answerLines(LineSession s) throws IOException {
        byte[] bytes = s.partialLine.toByteArray();
        int start = 0;
        for (int i = 0; i < bytes.length && s.pending.size() < MAX_PENDING; i++) {
            if (bytes[i] == '\n') {
                String command = new String(bytes, start, i - start, StandardCharsets.UTF_8).strip();
                s.pending.writeBytes((execute(command) + "\n").getBytes(StandardCharsets.UTF_8));
                counted(1);
                start = i + 1;
            }
        }
        s.partialLine.reset();
        s.partialLine.write(bytes, start, bytes.length - start);
        int lastNewline = bytes.length - 1;
        while (lastNewline >= start && bytes[lastNewline] != '\n') {
            lastNewline--;
        }
        if (bytes.length - (lastNewline + 1) > MAX_LINE) { // the line not ended yet
            throw new IOException("line over " + MAX_LINE + " bytes");
        }
    }

    private static boolean hasWholeLine(byte[] bytes) {
        for (byte b : bytes) {
            if (b == '\n') {
                return true;
            }
        }
        return false;
    }

    /** One command's answer. */
    String execute(String command) {
        String[] words = command.split(" ", 3);
        return switch (words[0]) {
            case "SET" -> {
                if (words.length < 3) yield "ERR usage: SET key value";
                values.put(words[1], words[2]);
                yield "OK";
            }
            case "GET" -> words.length < 2 ? "ERR usage: GET key" : values.getOrDefault(words[1], "NIL");
            case "INCR" -> {
                if (words.length < 2) yield "ERR usage: INCR key";
                long current;
                try {
                    current = Long.parseLong(values.getOrDefault(words[1], "0"));
                } catch (NumberFormatException e) {
                    yield "ERR not a number";
                }
                if (current == Long.MAX_VALUE) {
                    yield "ERR increment would overflow";
                }
                values.put(words[1], Long.toString(current + 1));
                yield Long.toString(current + 1);
            }
            default -> "ERR unknown command";
        };
    }

    /** The keys and values, in key order. */
    @Override
    protected void writeSharedState(DataOutputStream out) throws IOException {
        out.writeInt(values.size());
        for (Map.Entry<String, String> e : values.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeUTF(e.getValue());
        }
    }

    @Override
    protected void readSharedState(DataInputStream in) throws IOException {
        values.clear();
        for (int n = in.readInt(); n > 0; n--) {
            values.put(in.readUTF(), in.readUTF());
        }
    }
}
