package io.fttcp.wrappers.nsw;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/** A blocking client of a line service on the kernel's TCP. */
final class LineClient implements AutoCloseable {
    final SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocate(8192);

    LineClient(InetSocketAddress server) throws IOException {
        channel = SocketChannel.open(server);
    }

    void send(String lines) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(lines.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) channel.write(b);
    }

    /** Reads until {@code count} lines (or the end of the stream). */
    String lines(int count) throws IOException {
        StringBuilder got = new StringBuilder();
        int seen = 0;
        while (seen < count) {
            in.clear();
            int n = channel.read(in);
            if (n < 0) break;
            for (int i = 0; i < n; i++) {
                char ch = (char) in.get(i);
                got.append(ch);
                if (ch == '\n') seen++;
            }
        }
        return got.toString();
    }

    /** Reads to the end of the stream; true once it came. */
    boolean ended() throws IOException {
        in.clear();
        return channel.read(in) < 0;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
