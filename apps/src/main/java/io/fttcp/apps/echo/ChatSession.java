package io.fttcp.apps.echo;

import io.fttcp.api.StreamSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Reads one chat client's lines and broadcasts each to the room. */
final class ChatSession implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ChatSession.class);

    private final StreamSocket socket;
    private final ChatRoom room;
    private final Runnable onEnd;

    ChatSession(StreamSocket socket, ChatRoom room, Runnable onEnd) {
        this.socket = socket;
        this.room = room;
        this.onEnd = onEnd;
    }

    @Override
    public void run() {
        ChatMember member = new ChatMember(socket);
        member.start();
        room.join(member);
        try {
            socket.setNoDelay(true);
            LineReader lines = new LineReader(socket, LineEchoServer.MAX_LINE);
            for (ByteBuffer line = lines.next(); line != null; line = lines.next()) {
                byte[] copy = new byte[line.remaining()];
                line.get(copy);
                room.broadcast(copy);
            }
        } catch (IOException e) {
            log.debug("{}: {}", socket, e.toString());
        } finally {
            room.leave(member);
            try {
                member.finish();
                socket.shutdownOutput();
            } catch (IOException e) {
                log.debug("{}: {}", socket, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LineEchoServer.closeQuietly(socket);
            onEnd.run();
        }
    }
}
