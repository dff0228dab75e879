package io.fttcp.apps.chat;

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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A chat room on one poller loop: every line a client sends (newline included) goes to every
 * connected client, the sender too, in one order for all. A line longer than {@link #MAX_LINE}
 * is passed on in pieces of that size; a last line without newline is passed on when its client
 * ends its stream. A client that ended gets what was sent to it before, then the close; a client
 * that stops reading is disconnected once more than {@link #MAX_PENDING} bytes wait for it beyond
 * what its socket holds.
 *
 * <p>Why one loop and not a thread per client: the order in which lines from different clients
 * reach a member is then decided by the poller's results, which a primary logs and a replica
 * replays, so a backup's copy writes every member the same bytes (threads racing to a member's
 * queue would not). Its state spans connections (a member's stream holds lines of clients long
 * gone), so it takes checkpoints ({@link Checkpointable}) every {@code checkpointEvery} lines:
 * under {@code replication.retention = checkpointed} a catch-up or a recovery replays from the
 * latest one.
 */
public final class ChatServer implements Checkpointable, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChatServer.class);
    /** Longest line passed on whole. */
    static final int MAX_LINE = 8 * 1024;
    /** Bytes that may wait for a member beyond its socket's buffer before it is disconnected as too slow. */
    static final int MAX_PENDING = 64 * 1024;

    private final AppRuntime runtime;
    private final ListeningSocket listener;
    private final Poller poller;
    private final int checkpointEvery;
    /** Members by {@link AppRuntime#connectionName}, in the order they joined. */
    private final Map<String, ChatMember> members = new LinkedHashMap<>();
    /** Members with new output this loop iteration, flushed at its end in the order they got it. */
    private final Set<ChatMember> toFlush = new LinkedHashSet<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(MAX_LINE);
    private int linesSinceCheckpoint;
    private volatile boolean stopping;
    private volatile int memberCount;
    private volatile long checkpoints;
    private final Thread loop;

    private ChatServer(Network network, InetSocketAddress address, int checkpointEvery) throws IOException {
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException("checkpoint every " + checkpointEvery + " lines: must be at least 1");
        }
        this.runtime = network.runtime();
        this.checkpointEvery = checkpointEvery;
        this.listener = network.listen(address, 1024);
        this.poller = network.openPoller();
        listener.configureBlocking(false);
        poller.register(listener, Poller.OP_ACCEPT, null);
        this.loop = Thread.ofPlatform().daemon().name("chat-" + listener.localAddress().getPort()).unstarted(this::run);
    }

    /** Listens on {@code address} and serves from a new thread, restored from a checkpoint if the runtime has one. */
    public static ChatServer start(Network network, InetSocketAddress address, int checkpointEvery) throws IOException {
        ChatServer server = new ChatServer(network, address, checkpointEvery);
        server.loop.start();
        log.info("chat server listening on {}", server.localAddress());
        return server;
    }

    public InetSocketAddress localAddress() {
        return listener.localAddress();
    }

    /** Clients in the room now (connected, not yet ended). */
    public int memberCount() {
        return memberCount;
    }

    /** Checkpoints taken so far. */
    public long checkpoints() {
        return checkpoints;
    }

    private void run() {
        try {
            runtime.restore(this);
            updateCount();
            while (!stopping) {
                poller.poll(Duration.ofMillis(100));
                List<PollKey> ready = new ArrayList<>(poller.readyKeys());
                poller.readyKeys().clear();
                for (PollKey key : ready) {
                    if (key.attachment() == null) {
                        acceptAll();
                    } else if (key.attachment() instanceof ChatMember m && members.get(m.name) == m) { // not dropped meanwhile
                        serve(m);
                    }
                }
                flushAll();
                updateCount();
                if (linesSinceCheckpoint >= checkpointEvery) {
                    linesSinceCheckpoint = 0;
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
                log.warn("chat server stopped: {}", e.toString());
            }
        }
    }

    private void updateCount() {
        memberCount = (int) members.values().stream().filter(m -> !m.clientEnded).count();
    }

    private void acceptAll() throws IOException {
        for (StreamSocket s = listener.accept(); s != null; s = listener.accept()) {
            ChatMember member = new ChatMember(runtime.connectionName(s));
            attach(member, s);
            members.put(member.name, member);
        }
    }

    private void attach(ChatMember member, StreamSocket socket) throws IOException {
        member.socket = socket;
        socket.configureBlocking(false);
        socket.setNoDelay(true);
        member.key = poller.register(socket, interest(member), member);
    }

    private static int interest(ChatMember m) {
        return (m.clientEnded ? 0 : Poller.OP_READ) | (m.pending.size() > 0 ? Poller.OP_WRITE : 0);
    }

    /** Reads what is there and passes every whole line on; at the client's end, its last piece. */
    private void serve(ChatMember m) {
        try {
            if (!m.clientEnded) {
                readBuffer.clear();
                int n = m.socket.read(readBuffer);
                if (n < 0) {
                    if (m.partialLine.size() > 0) {
                        broadcast(m.partialLine.toByteArray());
                        m.partialLine.reset();
                    }
                    m.clientEnded = true;
                } else if (n > 0) {
                    passLinesOn(m, readBuffer.array(), n);
                }
            }
            toFlush.add(m);
        } catch (IOException e) {
            log.debug("{}: {}", m.name, e.toString());
            drop(m);
        }
    }

    private void passLinesOn(ChatMember m, byte[] bytes, int length) {
        int start = 0;
        for (int i = 0; i < length; i++) {
            if (bytes[i] == '\n' || m.partialLine.size() + (i + 1 - start) == MAX_LINE) {
                m.partialLine.write(bytes, start, i + 1 - start);
                broadcast(m.partialLine.toByteArray());
                m.partialLine.reset();
                start = i + 1;
            }
        }
        m.partialLine.write(bytes, start, length - start);
    }

    private void broadcast(byte[] line) {
        linesSinceCheckpoint++;
        for (ChatMember member : List.copyOf(members.values())) {
            if (member.clientEnded) {
                continue;
            }
            if (member.pending.size() + line.length > MAX_PENDING) {
                log.info("{}: too slow to keep up with the chat, disconnected", member.name);
                drop(member);
                continue;
            }
            member.pending.write(line, 0, line.length);
            toFlush.add(member);
        }
    }

    private void flushAll() {
        for (ChatMember m : toFlush) {
            if (members.get(m.name) == m) {
                flush(m);
            }
        }
        toFlush.clear();
    }

    /** Writes what fits; closes once the client ended and has everything. */
    private void flush(ChatMember m) {
        try {
            if (m.pending.size() > 0) {
                byte[] bytes = m.pending.toByteArray();
                int n = m.socket.write(ByteBuffer.wrap(bytes));
                m.pending.reset();
                m.pending.write(bytes, n, bytes.length - n);
            }
            if (m.clientEnded && m.pending.size() == 0) {
                m.socket.shutdownOutput();
                drop(m);
                return;
            }
            int ops = interest(m);
            if (m.key.interestOps() != ops) {
                m.key.interestOps(ops);
            }
        } catch (IOException e) {
            log.debug("{}: {}", m.name, e.toString());
            drop(m);
        }
    }

    private void drop(ChatMember m) {
        if (members.remove(m.name) == null) {
            return;
        }
        m.key.cancel();
        try {
            m.socket.close();
        } catch (IOException e) {
            log.debug("{}: {}", m.name, e.toString());
        }
    }

    /** The whole state, in a fixed order: each member's, in the order they joined. */
    byte[] state() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(members.size());
            for (ChatMember m : members.values()) {
                out.writeUTF(m.name);
                writeBytes(out, m.partialLine.toByteArray());
                writeBytes(out, m.pending.toByteArray());
                out.writeBoolean(m.clientEnded);
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
        members.clear();
        for (int n = in.readInt(); n > 0; n--) {
            ChatMember m = new ChatMember(in.readUTF());
            m.partialLine.writeBytes(in.readNBytes(in.readInt()));
            m.pending.writeBytes(in.readNBytes(in.readInt()));
            m.clientEnded = in.readBoolean();
            StreamSocket socket = connections.get(m.name);
            if (socket == null) {
                throw new IOException("the checkpoint's connection " + m.name + " was not restored");
            }
            attach(m, socket);
            members.put(m.name, m);
        }
        linesSinceCheckpoint = 0;
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
}
