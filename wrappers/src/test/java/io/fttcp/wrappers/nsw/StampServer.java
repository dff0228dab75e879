package io.fttcp.wrappers.nsw;

import io.fttcp.api.AppRuntime;
import io.fttcp.api.ListeningSocket;
import io.fttcp.api.Network;
import io.fttcp.api.StreamSocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test application that answers each request line with a time stamp and a random number:
 * deterministic when it takes them from an {@link AppRuntime}, deliberately not when
 * {@code runtime} is null (then it uses {@link System#nanoTime()} and an unseeded generator).
 */
final class StampServer implements PrimaryRun.Server {

    private final ListeningSocket listener;
    private final AppRuntime runtime;
    private final Set<StreamSocket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    private StampServer(ListeningSocket listener, AppRuntime runtime) {
        this.listener = listener;
        this.runtime = runtime;
        this.acceptor = Thread.ofVirtual().start(this::acceptLoop);
    }

    static StampServer start(Network network, InetSocketAddress address, AppRuntime runtime) throws IOException {
        return new StampServer(network.listen(address, 64), runtime);
    }

    private void acceptLoop() {
        while (true) {
            StreamSocket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                return;
            }
            open.add(s);
            Thread.ofVirtual().start(() -> serve(s));
        }
    }

    private void serve(StreamSocket s) {
        try (s) {
            ByteBuffer in = ByteBuffer.allocate(256);
            SplittableRandom random = runtime == null ? new SplittableRandom() : runtime.newRandom();
            while (true) {
                in.clear();
                int n = s.read(in);
                if (n < 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    if (in.get(i) == '\n') {
                        long stamp = runtime == null ? System.nanoTime() : runtime.nanoTime();
                        long wall = runtime == null ? System.currentTimeMillis() : runtime.currentTimeMillis();
                        ByteBuffer out = ByteBuffer.wrap(("stamp=" + stamp + " wall=" + wall + " random=" + random.nextLong() + "\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        while (out.hasRemaining()) {
                            s.write(out);
                        }
                    }
                }
            }
            s.shutdownOutput();
        } catch (IOException e) {
            // the client went away, or (on the backup) the connection diverged
        } finally {
            open.remove(s);
        }
    }

    @Override
    public InetSocketAddress address() {
        return listener.localAddress();
    }

    @Override
    public int connectionCount() {
        return open.size();
    }

    @Override
    public void close() {
        try {
            listener.close();
            for (StreamSocket s : open) {
                s.close();
            }
            acceptor.join(5000);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A client: a few request lines, one answer line each, then half-close and read to the end. */
    static TestClients.Session client(InetSocketAddress server, SplittableRandom random) throws IOException {
        try (java.net.Socket socket = new java.net.Socket(server.getAddress(), server.getPort())) {
            socket.setSoTimeout(20_000);
            var sent = new java.io.ByteArrayOutputStream();
            var received = new java.io.ByteArrayOutputStream();
            var in = socket.getInputStream();
            int requests = 2 + random.nextInt(4); // at least two: a write after a divergence must fail
            for (int i = 0; i < requests; i++) {
                byte[] line = ("what time is it " + i + "\n").getBytes(StandardCharsets.US_ASCII);
                socket.getOutputStream().write(line);
                sent.writeBytes(line);
                int b;
                do {
                    b = in.read();
                    if (b < 0) {
                        throw new IOException("closed before the answer");
                    }
                    received.write(b);
                } while (b != '\n');
            }
            socket.shutdownOutput();
            in.transferTo(received);
            return new TestClients.Session((InetSocketAddress) socket.getLocalSocketAddress(), sent.toByteArray(), received.toByteArray());
        }
    }
}
