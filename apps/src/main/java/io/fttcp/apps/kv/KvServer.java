package io.fttcp.apps.kv;

import io.fttcp.api.AppRuntime;
import io.fttcp.api.Checkpointable;
import io.fttcp.api.ListeningSocket;
import io.fttcp.api.Network;
import io.fttcp.api.PollKey;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A line-protocol key-value store on one poller loop, whose values outlive connections: the
 * {@link Checkpointable} example. Commands, one per line: {@code SET k v} (answers {@code OK}),
 * {@code GET k} (the value, or {@code NIL}), {@code INCR k} (the new number; a missing key counts
 * from 0, a value that is not a number answers {@code ERR not a number}); anything else answers
 * {@code ERR unknown command}. A client ending its stream gets its last answers, then the close.
 *
 * <p>Every {@code checkpointEvery} commands it asks the runtime for a checkpoint, at the end of a
 * loop iteration, with its whole state: the keys and values, and for each connection its
 * unfinished line, the answers not yet written, and whether the client ended its stream. A server
 * recovering from a log that starts at a checkpoint continues from there ({@link #restore}).
 */
public final class KvServer implements Checkpointable, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KvServer.class);
    /** Longest command line; a longer one closes its connection. */
    static final int MAX_LINE = 4096;

    private final Network network;
    private final AppRuntime runtime;
    private final ListeningSocket listener;
    private final Poller poller;
    private final int checkpointEvery;
    private final TreeMap<String, String> values = new TreeMap<>();
    /** Connections by {@link AppRuntime#connectionName}, in accept order. */
    private final Map<String, KvSession> sessions = new LinkedHashMap<>();
    private int commandsSinceCheckpoint;
    private volatile boolean stopping;
    private volatile int connectionCount;
    private volatile long checkpoints;
    private final Thread loop;

    private KvServer(Network network, InetSocketAddress address, int checkpointEvery) throws IOException {
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException("checkpoint every " + checkpointEvery + " commands: must be at least 1");
        }
        this.network = network;
        this.runtime = network.runtime();
        this.checkpointEvery = checkpointEvery;
        this.listener = network.listen(address, 128);
        this.poller = network.openPoller();
        listener.configureBlocking(false);
        poller.register(listener, Poller.OP_ACCEPT, null);
        this.loop = Thread.ofPlatform().daemon().name("kv-" + listener.localAddress().getPort()).unstarted(this::run);
    }

    /** Listens on {@code address} and serves from a new thread, restored from a checkpoint if the runtime has one. */
    public static KvServer start(Network network, InetSocketAddress address, int checkpointEvery) throws IOException {
        KvServer server = new KvServer(network, address, checkpointEvery);
        server.loop.start();
        return server;
    }

    public InetSocketAddress localAddress() {
        return listener.localAddress();
    }

    /** Connections open now. */
    public int connectionCount() {
        return connectionCount;
    }

    /** Checkpoints taken so far. */
    public long checkpoints() {
        return checkpoints;
    }

    private void run() {
        try {
            runtime.restore(this);
            connectionCount = sessions.size();
            while (!stopping) {
                poller.poll(Duration.ofMillis(100));
                List<PollKey> ready = new ArrayList<>(poller.readyKeys());
                poller.readyKeys().clear();
                for (PollKey key : ready) {
                    if (key.attachment() == null) {
                        acceptAll();
                    } else {
                        serve((KvSession) key.attachment());
                    }
                }
                connectionCount = sessions.size();
                if (commandsSinceCheckpoint >= checkpointEvery) {
                    commandsSinceCheckpoint = 0;
                    try {
                        if (runtime.checkpoint(state())) {
                            checkpoints++;
                        }
                    } catch (IllegalArgumentException e) { // too large: refused before anything was logged, on a replica too
                        log.warn("no checkpoint: {}", e.getMessage());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!stopping) {
                log.warn("key-value server stopped: {}", e.toString());
            }
        }
    }

    private void acceptAll() throws IOException {
        for (StreamSocket s = listener.accept(); s != null; s = listener.accept()) {
            KvSession session = new KvSession(runtime.connectionName(s));
            attach(session, s);
            sessions.put(session.name, session);
        }
    }

    private void attach(KvSession session, StreamSocket socket) throws IOException {
        session.socket = socket;
        socket.configureBlocking(false);
        session.key = poller.register(socket, Poller.OP_READ | (session.pending.size() > 0 ? Poller.OP_WRITE : 0), session);
    }

    /** Reads what is there, answers every whole line, writes what fits, closes once the client ended and has every answer. */
    private void serve(KvSession s) throws IOException {
        try {
            if (!s.clientEnded) {
                ByteBuffer buffer = ByteBuffer.allocate(MAX_LINE);
                int n = s.socket.read(buffer);
                if (n < 0) {
                    s.clientEnded = true;
                } else if (n > 0) {
                    s.line.write(buffer.array(), 0, n);
                    answerLines(s);
                }
            }
            flush(s);
        } catch (IOException e) {
            log.debug("{}: {}", s.name, e.toString());
            close(s);
        }
    }

    private void answerLines(KvSession s) throws IOException {
        byte[] bytes = s.line.toByteArray();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                String command = new String(bytes, start, i - start, java.nio.charset.StandardCharsets.UTF_8).strip();
                s.pending.writeBytes((execute(command) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                commandsSinceCheckpoint++;
                start = i + 1;
            }
        }
        s.line.reset();
        s.line.write(bytes, start, bytes.length - start);
        if (s.line.size() > MAX_LINE) {
            throw new IOException("line over " + MAX_LINE + " bytes");
        }
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
                try {
                    long next = Long.parseLong(values.getOrDefault(words[1], "0")) + 1;
                    values.put(words[1], Long.toString(next));
                    yield Long.toString(next);
                } catch (NumberFormatException e) {
                    yield "ERR not a number";
                }
            }
            default -> "ERR unknown command";
        };
    }

    private void flush(KvSession s) throws IOException {
        if (s.pending.size() > 0) {
            byte[] bytes = s.pending.toByteArray();
            int n = s.socket.write(ByteBuffer.wrap(bytes));
            s.pending.reset();
            s.pending.write(bytes, n, bytes.length - n);
        }
        if (s.pending.size() == 0 && s.clientEnded) {
            close(s);
            return;
        }
        int ops = Poller.OP_READ | (s.pending.size() > 0 ? Poller.OP_WRITE : 0);
        if (s.key.interestOps() != ops) {
            s.key.interestOps(ops);
        }
    }

    private void close(KvSession s) {
        sessions.remove(s.name);
        s.key.cancel();
        try {
            s.socket.close();
        } catch (IOException e) {
            log.debug("{}: {}", s.name, e.toString());
        }
    }

    /** The whole state, in a fixed order: the values, then each connection's. */
    byte[] state() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(values.size());
            for (Map.Entry<String, String> e : values.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
            out.writeInt(sessions.size());
            for (KvSession s : sessions.values()) {
                out.writeUTF(s.name);
                writeBytes(out, s.line.toByteArray());
                writeBytes(out, s.pending.toByteArray());
                out.writeBoolean(s.clientEnded);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    @Override
    public void restore(byte[] state, Map<String, StreamSocket> connections) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(state));
        values.clear();
        for (int n = in.readInt(); n > 0; n--) {
            values.put(in.readUTF(), in.readUTF());
        }
        sessions.clear();
        for (int n = in.readInt(); n > 0; n--) {
            KvSession s = new KvSession(in.readUTF());
            s.line.writeBytes(in.readNBytes(in.readInt()));
            s.pending.writeBytes(in.readNBytes(in.readInt()));
            s.clientEnded = in.readBoolean();
            StreamSocket socket = connections.get(s.name);
            if (socket == null) {
                throw new IOException("the checkpoint's connection " + s.name + " was not restored");
            }
            attach(s, socket);
            sessions.put(s.name, s);
        }
        commandsSinceCheckpoint = 0;
    }

    @Override
    public void close() {
        stopping = true;
        poller.wakeup();
        try {
            loop.join(2_000);
            listener.close();
            poller.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.debug("closing: {}", e.toString());
        }
    }

    /** One connection's state. */
    private static final class KvSession {
        final String name;
        /** Bytes of the line not ended yet. */
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        /** Answers not written yet. */
        final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        boolean clientEnded;
        StreamSocket socket;
        PollKey key;

        KvSession(String name) {
            this.name = name;
        }
    }
}
