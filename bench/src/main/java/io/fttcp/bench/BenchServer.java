package io.fttcp.bench;

import io.fttcp.api.Network;
import io.fttcp.api.kernel.KernelNetwork;
import io.fttcp.apps.echo.LineEchoServer;
import io.fttcp.apps.http.HttpFileServer;
import io.fttcp.apps.http.HttpServerConfig;
import io.fttcp.link.ethernet.MacAddress;
import io.fttcp.roles.StackAddresses;
import io.fttcp.roles.StackHost;
import io.fttcp.roles.StackHostConfig;
import io.fttcp.stack.host.HostConfig;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The server side of the stack benchmark, one JVM per variant: the HTTP file server, the line
 * echo server and the {@link IdleConnectionHolder}, all on the kernel's TCP or all on the
 * user-space stack over TAP. Prints {@code ready}, then answers control commands on stdin:
 * <ul>
 *   <li>{@code heap} → {@code heap used=<bytes> direct=<bytes>} after full collections;</li>
 *   <li>{@code held} → {@code held count=<n>}: connections the idle holder keeps;</li>
 *   <li>{@code quit} → {@code bye}, and the process exits.</li>
 * </ul>
 * Usage: {@code BenchServer kernel|stack <address> [tap] [mac] [prefix]}.
 */
public final class BenchServer {
    public static final int HTTP_PORT = 8080;
    public static final int ECHO_PORT = 7007;
    public static final int IDLE_PORT = 9009;
    /** Backlogs large enough that connecting thousands of idle clients quickly does not overflow. */
    private static final int BACKLOG = 4096;

    private BenchServer() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        // Control replies own stdout; anything else printed goes to stderr.
        System.setOut(System.err);
        if (args.length < 2) {
            out.println("error usage: BenchServer kernel|stack <address> [tap] [mac] [prefix]");
            System.exit(2);
        }
        Variant variant = Variant.parse(args[0]);
        InetAddress address = InetAddress.getByName(args[1]);
        String tap = args.length > 2 ? args[2] : "tap0";
        String mac = args.length > 3 ? args[3] : "00:00:5e:00:01:01";
        int prefix = args.length > 4 ? Integer.parseInt(args[4]) : 24;

        StackHost stack = null;
        Network network;
        if (variant == Variant.STACK) {
            stack = StackHost.start(new StackHostConfig(tap, MacAddress.parse(mac),
                    List.of(StackAddresses.toInt(address)), prefix, true, HostConfig.defaults(0, 0)));
            network = stack.network();
        } else {
            network = new KernelNetwork();
        }
        HttpFileServer http = HttpFileServer.start(network, new InetSocketAddress(address, HTTP_PORT),
                HttpServerConfig.serving(null).withBacklog(BACKLOG));
        LineEchoServer echo = LineEchoServer.start(network, new InetSocketAddress(address, ECHO_PORT));
        IdleConnectionHolder idle = IdleConnectionHolder.start(network, new InetSocketAddress(address, IDLE_PORT), BACKLOG);
        out.println("ready variant=" + variant.label() + " address=" + address.getHostAddress());
        try {
            serveCommands(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), out, idle);
        } finally {
            idle.close();
            echo.stop();
            http.stop();
            if (stack != null) {
                stack.close();
            }
        }
        System.exit(0);
    }

    private static void serveCommands(BufferedReader in, PrintStream out, IdleConnectionHolder idle) throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            switch (line.strip()) {
                case "heap" -> out.println("heap used=" + usedHeapAfterGc() + " direct=" + directBytes());
                case "held" -> out.println("held count=" + idle.held());
                case "quit" -> {
                    out.println("bye");
                    return;
                }
                default -> out.println("error unknown command: " + line.strip());
            }
        }
    }

    /** Used heap after full collections, settled (a second collection frees what finalization-like cleanup released). */
    static long usedHeapAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    static long directBytes() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct"))
                .mapToLong(BufferPoolMXBean::getMemoryUsed)
                .sum();
    }
}
