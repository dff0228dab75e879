package io.fttcp.wrappers.nsw;

import io.fttcp.apps.http.Generator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Clients on the kernel's TCP that check what they get; each returns every byte it received. */
final class TestClients {

    private TestClients() {
    }

    /** What one client session sent and received. */
    record Session(InetSocketAddress local, byte[] sent, byte[] received) {
    }

    /** Sends random lines in random pieces, half-closes, and reads the echo to the end; fails unless echoed exactly. */
    static Session echo(InetSocketAddress server, SplittableRandom random) throws IOException {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        int lines = 1 + random.nextInt(30);
        for (int i = 0; i < lines; i++) {
            int length = random.nextInt(10) == 0 ? random.nextInt(12_000) : random.nextInt(120);
            for (int j = 0; j < length; j++) {
                sent.write('a' + random.nextInt(26));
            }
            if (i < lines - 1 || random.nextBoolean()) {
                sent.write('\n');
            }
        }
        byte[] request = sent.toByteArray();
        try (Socket socket = new Socket(server.getAddress(), server.getPort())) {
            socket.setSoTimeout(20_000);
            InetSocketAddress local = (InetSocketAddress) socket.getLocalSocketAddress();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    socket.getInputStream().transferTo(received);
                } catch (IOException e) {
                    received.writeBytes(("<<" + e + ">>").getBytes(StandardCharsets.UTF_8));
                }
            });
            OutputStream out = socket.getOutputStream();
            for (int at = 0; at < request.length; ) {
                int piece = Math.min(request.length - at, 1 + random.nextInt(3000));
                out.write(request, at, piece);
                out.flush();
                at += piece;
            }
            socket.shutdownOutput();
            join(reader);
            byte[] got = received.toByteArray();
            if (!java.util.Arrays.equals(got, request)) {
                throw new AssertionError("echo mismatch on " + local + ": sent " + request.length + " bytes, got " + got.length);
            }
            return new Session(local, request, got);
        }
    }

    /**
     * One keep-alive connection: a few GET /gen downloads and PUT /upload uploads in random
     * order, each checked (download bytes against the generator, upload answer against the
     * sha256 of the body); then half-close and read to the end.
     */
    static Session http(InetSocketAddress server, SplittableRandom random) throws IOException {
        try (Socket socket = new Socket(server.getAddress(), server.getPort())) {
            socket.setSoTimeout(20_000);
            InetSocketAddress local = (InetSocketAddress) socket.getLocalSocketAddress();
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            int requests = 1 + random.nextInt(4);
            for (int i = 0; i < requests; i++) {
                byte[] request;
                if (random.nextBoolean()) {
                    int size = random.nextInt(300_000);
                    long seed = random.nextLong(1000);
                    request = ("GET /gen/" + size + "?seed=" + seed + " HTTP/1.1\r\nHost: test\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
                    send(out, sent, request, random);
                    byte[] body = response(in, received, 200);
                    byte[] expected = new byte[size];
                    new Generator(seed).fill(0, expected, 0, size);
                    if (!java.util.Arrays.equals(body, expected)) {
                        throw new AssertionError("download of " + size + " bytes differs on " + local);
                    }
                } else {
                    byte[] body = new byte[random.nextInt(200_000)];
                    random.nextBytes(body);
                    byte[] head = ("PUT /upload HTTP/1.1\r\nHost: test\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
                    send(out, sent, head, random);
                    send(out, sent, body, random);
                    String answer = new String(response(in, received, 200), StandardCharsets.ISO_8859_1);
                    String expected = "sha256=" + sha256(body) + " bytes=" + body.length + "\n";
                    if (!answer.equals(expected)) {
                        throw new AssertionError("upload answer on " + local + ": " + answer);
                    }
                }
            }
            socket.shutdownOutput();
            in.transferTo(received);
            return new Session(local, sent.toByteArray(), received.toByteArray());
        }
    }

    /**
     * Begins a request and does not finish it: a head cut off, a body cut off, or a head trickled
     * a byte every 20 ms, after a complete request or not. Expects 408 and the end of the
     * connection (for a server whose request head and body timeouts are well under a second).
     */
    static Session httpStalled(InetSocketAddress server, SplittableRandom random) throws IOException, InterruptedException {
        try (Socket socket = new Socket(server.getAddress(), server.getPort())) {
            socket.setSoTimeout(20_000);
            socket.setTcpNoDelay(true);
            InetSocketAddress local = (InetSocketAddress) socket.getLocalSocketAddress();
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            if (random.nextBoolean()) {
                send(out, sent, "GET /gen/100 HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), random);
                response(in, received, 200);
            }
            switch (random.nextInt(3)) {
                case 0 -> send(out, sent, "GET /gen/10 HTTP/1.1\r\nHost: test\r\nX-Cut: ".getBytes(StandardCharsets.ISO_8859_1), random);
                case 1 -> {
                    byte[] part = new byte[random.nextInt(1000)];
                    random.nextBytes(part);
                    send(out, sent, "PUT /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 1000\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), random);
                    send(out, sent, part, random);
                }
                default -> {
                    send(out, sent, "GET /gen/10 HTTP/1.1\r\nHost: test\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1), random);
                    for (int i = 0; i < 500 && in.available() == 0; i++) {
                        send(out, sent, new byte[] {'a'}, random);
                        Thread.sleep(20);
                    }
                }
            }
            response(in, received, 408);
            socket.shutdownOutput();
            in.transferTo(received);
            return new Session(local, sent.toByteArray(), received.toByteArray());
        }
    }

    private static void send(OutputStream out, ByteArrayOutputStream sent, byte[] bytes, SplittableRandom random) throws IOException {
        for (int at = 0; at < bytes.length; ) {
            int piece = Math.min(bytes.length - at, 1 + random.nextInt(40_000));
            out.write(bytes, at, piece);
            out.flush();
            at += piece;
        }
        sent.writeBytes(bytes);
    }

    /** Reads one response with a Content-Length body, copying every byte to {@code received}; returns the body. */
    private static byte[] response(InputStream in, ByteArrayOutputStream received, int expectedStatus) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in a response head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                break;
            }
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        received.writeBytes(head.toByteArray());
        if (!text.startsWith("HTTP/1.1 " + expectedStatus + " ")) {
            throw new AssertionError("unexpected response: " + text);
        }
        int length = -1;
        for (String line : text.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new IOException("response body cut short");
        }
        received.writeBytes(body);
        return body;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }
}
