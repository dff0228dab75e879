package io.fttcp.apps.echo;

import io.fttcp.api.StreamSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One chat client's outgoing side: lines queue here and a writer thread sends them, so a
 * slow reader never blocks the others. A client whose queue overflows is disconnected.
 */
final class ChatMember {

    static final int QUEUE_LINES = 4096;
    private static final Logger log = LoggerFactory.getLogger(ChatMember.class);
    private static final byte[] END = new byte[0];

    private final StreamSocket socket;
    private final BlockingQueue<byte[]> outgoing = new ArrayBlockingQueue<>(QUEUE_LINES);
    private final Thread writer;

    ChatMember(StreamSocket socket) {
        this.socket = socket;
        this.writer = Thread.ofVirtual().name("chat-writer").unstarted(this::writeLoop);
    }

    void start() {
        writer.start();
    }

    void deliver(byte[] line) {
        if (!outgoing.offer(line)) {
            log.info("{}: too slow to keep up with the chat, disconnected", socket);
            LineEchoServer.closeQuietly(socket);
        }
    }

    /** Sends what is queued, then stops the writer. */
    void finish() throws InterruptedException {
        if (!outgoing.offer(END, 5, TimeUnit.SECONDS)) {
            LineEchoServer.closeQuietly(socket);
        }
        writer.join();
    }

    private void writeLoop() {
        try {
            while (true) {
                byte[] line = outgoing.take();
                if (line == END) {
                    return;
                }
                ByteBuffer buffer = ByteBuffer.wrap(line);
                while (buffer.hasRemaining()) {
                    socket.write(buffer);
                }
            }
        } catch (IOException e) {
            log.debug("{}: {}", socket, e.toString());
            LineEchoServer.closeQuietly(socket);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
