package io.fttcp.e2e;

import io.fttcp.api.StreamSocket;
import io.fttcp.link.ethernet.MacAddress;
import io.fttcp.roles.StackAddresses;
import io.fttcp.roles.StackHost;
import io.fttcp.roles.StackHostConfig;
import io.fttcp.stack.host.HostConfig;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The user-space stack as an HTTP client, run in its own JVM inside a server namespace: starts a
 * {@link StackHost} on a TAP device, sends one GET through {@link io.fttcp.api.Network#connect}
 * and prints {@code status=<code> length=<Content-Length> bytes=<body bytes> sha256=<hex> seconds=<s>}.
 *
 * <p>Arguments: {@code TAP MAC OWN-ADDRESS SERVER-ADDRESS:PORT PATH offloads|no-offloads}.
 */
public final class StackHttpGet {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    /** The whole download must finish by then; otherwise the stack's counters are printed and the JVM exits 3. */
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: StackHttpGet TAP MAC OWN-ADDRESS SERVER-ADDRESS:PORT PATH offloads|no-offloads");
            System.exit(2);
        }
        String[] server = args[3].split(":");
        InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName(server[0]), Integer.parseInt(server[1]));
        StackHostConfig config = new StackHostConfig(args[0], MacAddress.parse(args[1]),
                List.of(StackAddresses.toInt(InetAddress.getByName(args[2]))), 24, args[5].equals("offloads"), HostConfig.defaults(0, 0));
        int exit;
        try (StackHost host = StackHost.start(config)) {
            startWatchdog(host);
            exit = get(host, remote, args[4]);
        } catch (IOException | RuntimeException e) {
            System.out.println("error=" + e);
            e.printStackTrace(System.out);
            exit = 1;
        }
        System.out.flush();
        System.exit(exit);
    }

    private static void startWatchdog(StackHost host) {
        Thread.ofPlatform().daemon().name("deadline").start(() -> {
            try {
                Thread.sleep(DEADLINE);
            } catch (InterruptedException e) {
                return;
            }
            var eth = host.ethernet().stats();
            var ip = host.ip().stats();
            System.out.printf("error=no result within %d s; stack counters: ethernet framesReceived=%d ipPacketsDelivered=%d framesSent=%d; "
                            + "ip packetsReceived=%d packetsSent=%d notForUs=%d resetsSent=%d; drops=%s%n",
                    DEADLINE.toSeconds(), eth.framesReceived(), eth.ipPacketsDelivered(), eth.framesSent(),
                    ip.packetsReceived, ip.packetsSent, ip.notForUs, ip.resetsSent, host.ip().codec().drops());
            System.out.flush();
            Runtime.getRuntime().halt(3);
        });
    }

    private static int get(StackHost host, InetSocketAddress remote, String path) throws IOException {
        long start = System.nanoTime();
        try (StreamSocket socket = host.network().connect(remote)) {
            socket.setReadTimeout(READ_TIMEOUT);
            String request = "GET " + path + " HTTP/1.1\r\nHost: " + remote.getAddress().getHostAddress() + ":" + remote.getPort()
                    + "\r\nUser-Agent: fttcp-stack-client\r\nConnection: close\r\n\r\n";
            socket.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));

            ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int headEnd = -1;
            while (headEnd < 0) {
                buf.clear();
                if (socket.read(buf) < 0) {
                    System.out.println("error=connection closed inside the response head: " + head.toString(StandardCharsets.ISO_8859_1));
                    return 1;
                }
                buf.flip();
                head.write(buf.array(), 0, buf.limit());
                headEnd = head.toString(StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n");
            }
            byte[] all = head.toByteArray();
            String headText = new String(all, 0, headEnd, StandardCharsets.ISO_8859_1);
            int status = Integer.parseInt(headText.substring(9, 12));
            long length = contentLength(headText);

            MessageDigest sha = SeededFile.newSha256();
            long bytes = all.length - (headEnd + 4);
            sha.update(all, headEnd + 4, (int) bytes);
            while (true) {
                buf.clear();
                int n = socket.read(buf);
                if (n < 0) {
                    break;
                }
                sha.update(buf.array(), 0, n);
                bytes += n;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "status=%d length=%d bytes=%d sha256=%s seconds=%.3f%n",
                    status, length, bytes, HexFormat.of().formatHex(sha.digest()), seconds);
            return 0;
        }
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
                return Long.parseLong(line.substring(colon + 1).trim());
            }
        }
        return -1;
    }
}
