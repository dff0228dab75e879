package io.fttcp.apps.chat;

import io.fttcp.api.Checkpointable;
import io.fttcp.api.Network;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;
import io.fttcp.apps.CheckpointingLoop;
import io.fttcp.apps.LineSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
public final class ChatServer extends CheckpointingLoop {

    private static final Logger log = LoggerFactory.getLogger(ChatServer.class);
    /** Longest line passed on whole. */
    static final int MAX_LINE = 8 * 1024;
    /** Bytes that may wait for a member beyond its socket's buffer before it is disconnected as too slow. */
    static final int MAX_PENDING = 64 * 1024;

    /** Members with new output this loop iteration, flushed at its end in the order they got it. */
    private final Set<LineSession> toFlush = new LinkedHashSet<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(MAX_LINE);
    private volatile int memberCount;

    private ChatServer(Network network, InetSocketAddress address, int checkpointEvery) throws IOException {
        super(network, address, 1024, checkpointEvery, "chat", log);
    }

    /** Listens on {@code address} and serves from a new thread, restored from a checkpoint if the runtime has one. */
    public static ChatServer start(Network network, InetSocketAddress address, int checkpointEvery) throws IOException {
        ChatServer server = new ChatServer(network, address, checkpointEvery);
        server.startLoop();
        log.info("chat server listening on {}", server.localAddress());
        return server;
    }

    /** Clients in the room now (connected, not yet ended). */
    public int memberCount() {
        return memberCount;
    }

    @Override
    protected void configure(StreamSocket socket) throws IOException {
        socket.setNoDelay(true);
    }

    @Override
    protected int interest(LineSession m) {
        return (m.clientEnded() ? 0 : Poller.OP_READ) | (m.pending.size() > 0 ? Poller.OP_WRITE : 0);
    }

    /** Reads what is there and passes every whole line on; at the client's end, its last piece. */
    @Override
    protected void serve(LineSession m) {
        try {
            if (!m.clientEnded()) {
                readBuffer.clear();
                int n = m.socket().read(readBuffer);
                if (n < 0) {
                    if (m.partialLine.size() > 0) {
                        broadcast(m.partialLine.toByteArray());
                        m.partialLine.reset();
                    }
                    m.clientEnds();
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

    /** Writes what the iteration gave each member. */
    @Override
    protected void endOfIteration() {
        for (LineSession m : toFlush) {
            if (sessions.get(m.name) == m) {
                flush(m);
            }
        }
        toFlush.clear();
        memberCount = (int) sessions.values().stream().filter(m -> !m.clientEnded()).count();
    }

    private void passLinesOn(LineSession m, byte[] bytes, int length) {
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
        counted(1);
        List<LineSession> tooSlow = null;
        for (LineSession member : sessions.values()) {
            if (member.clientEnded()) {
                continue;
            }
            if (member.pending.size() + line.length > MAX_PENDING) {
                if (tooSlow == null) {
                    tooSlow = new ArrayList<>();
                }
                tooSlow.add(member);
                continue;
            }
            member.pending.write(line, 0, line.length);
            toFlush.add(member);
        }
        if (tooSlow != null) {
            for (LineSession member : tooSlow) {
                log.info("{}: too slow to keep up with the chat, disconnected", member.name);
                drop(member);
            }
        }
    }

    /** Writes what fits; closes once the client ended and has everything. */
    private void flush(LineSession m) {
        try {
            m.writePending();
            if (m.clientEnded() && m.pending.size() == 0) {
                m.socket().shutdownOutput();
                drop(m);
                return;
            }
            updateInterest(m);
        } catch (IOException e) {
            log.debug("{}: {}", m.name, e.toString());
            drop(m);
        }
    }
}
