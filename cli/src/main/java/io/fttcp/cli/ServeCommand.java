package io.fttcp.cli;

import io.fttcp.api.Network;
import io.fttcp.api.kernel.KernelNetwork;
import io.fttcp.apps.chat.ChatServer;
import io.fttcp.apps.echo.LineEchoServer;
import io.fttcp.apps.kv.KvServer;
import io.fttcp.apps.http.HttpFileServer;
import io.fttcp.apps.http.HttpServerConfig;
import io.fttcp.link.ethernet.MacAddress;
import io.fttcp.roles.StackHost;
import io.fttcp.roles.StackHostConfig;
import io.fttcp.roles.StackAddresses;
import io.fttcp.stack.host.HostConfig;
import io.fttcp.roles.metrics.Reading;
import io.fttcp.roles.metrics.StackReadings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Runs one of the applications on a chosen network until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        header = "Run an application (HTTP file server, line echo or chat, key-value store) unprotected, on the kernel's TCP or the stack.",
        description = "Run an application (HTTP file server, line echo or chat, key-value store) on the kernel's TCP or the user-space stack.")
final class ServeCommand implements Callable<Integer> {

    enum NetworkKind { kernel, stack }

    enum App { http, echo, chat, kv }

    @Spec
    CommandSpec spec;

    @Option(names = "--network", defaultValue = "kernel", paramLabel = "kernel|stack",
            description = "Which TCP: the Linux kernel's, or the user-space stack. Default: ${DEFAULT-VALUE}.")
    NetworkKind network;

    @Option(names = "--app", defaultValue = "http", paramLabel = "http|echo|chat|kv",
            description = "The application. Default: ${DEFAULT-VALUE}.")
    App app;

    @Option(names = "--listen", defaultValue = "0.0.0.0:8080", paramLabel = "ADDR:PORT", converter = ListenAddress.class,
            description = "Address and port to listen on (port 0: any free port). Default: ${DEFAULT-VALUE}.")
    InetSocketAddress listen;

    @Option(names = "--tap", defaultValue = "tap0", paramLabel = "NAME",
            description = "Stack: the TAP device to run on (must exist and be up). Default: ${DEFAULT-VALUE}.")
    String tap;

    @Option(names = "--mac", defaultValue = "00:00:5e:00:01:01", paramLabel = "MAC", converter = UnicastMacOption.class,
            description = "Stack: its MAC address. Default: the VRRP virtual MAC ${DEFAULT-VALUE}.")
    MacAddress mac;

    @Option(names = "--prefix", defaultValue = "24", paramLabel = "BITS",
            description = "Stack: prefix length of the listen address's subnet. Default: ${DEFAULT-VALUE}.")
    int prefix;

    @Option(names = "--offloads", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "Stack: use the TAP's checksum and segmentation offloads. Default: ${DEFAULT-VALUE}.")
    boolean offloads;

    @Option(names = "--root", paramLabel = "DIR",
            description = "HTTP: directory whose files are served. Without it only /gen/<bytes> and /upload are served.")
    Path root;

    @Mixin
    MetricsOption metrics;

    @Option(names = "--upload-dir", paramLabel = "DIR",
            description = "HTTP: store uploads here (otherwise they are hashed and discarded).")
    Path uploadDir;

    /** A started application: where it listens, and how to stop it. */
    record Running(InetSocketAddress localAddress, Runnable stopAction) {
        void stop() {
            stopAction.run();
        }
    }

    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Running running;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (!metrics.bind(spec, "serve")) return 2;
        Network net = openNetwork();
        Running started = start(net);
        running = started;
        metrics.show(spec.commandLine().getOut(), "serve", this::readings);
        Thread hook = new Thread(this::stop, "fttcp-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        spec.commandLine().getOut().println("fttcp: " + app + " on " + network + " TCP, listening on " + describe(started.localAddress()));
        spec.commandLine().getOut().flush();
        stopped.await();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is what stopped us.
        }
        return 0;
    }

    /** The chosen network. */
    private Network openNetwork() throws IOException {
        return switch (network) {
            case kernel -> new KernelNetwork();
            case stack -> {
                if (listen.getAddress().isAnyLocalAddress() || !(listen.getAddress() instanceof java.net.Inet4Address)) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                            "--network stack needs the stack's own address in --listen (IPv4, for example 198.18.0.100:80)");
                }
                if (prefix < 1 || prefix > 32) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--prefix must be 1..32, got " + prefix);
                }
                StackHost host = StackHost.start(new StackHostConfig(tap, mac,
                        List.of(StackAddresses.toInt(listen.getAddress())), prefix, offloads,
                        HostConfig.defaults(0, 0)));
                stackHost = host;
                yield host.network();
            }
        };
    }

    private volatile StackHost stackHost;

    /** Starts the chosen application on {@code net}. */
    Running start(Network net) throws IOException {
        return switch (app) {
            case http -> {
                HttpServerConfig config = HttpServerConfig.serving(root).withUploadDir(uploadDir);
                HttpFileServer server = HttpFileServer.start(net, listen, config);
                yield new Running(server.localAddress(), server::stop);
            }
            case echo -> {
                LineEchoServer server = LineEchoServer.start(net, listen);
                yield new Running(server.localAddress(), server::stop);
            }
            case chat -> {
                ChatServer server = ChatServer.start(net, listen, ProtectedApp.CHAT_CHECKPOINT_EVERY);
                yield new Running(server.localAddress(), server::close);
            }
            case kv -> {
                KvServer server = KvServer.start(net, listen, ProtectedApp.KV_CHECKPOINT_EVERY);
                yield new Running(server.localAddress(), server::close);
            }
        };
    }

    /** The stack's counters (none on the kernel's TCP: its own are in /proc/net/snmp). */
    private List<Reading> readings() {
        StackHost h = stackHost;
        return h == null ? List.of() : StackReadings.of(h);
    }

    /** The running application, once {@link #call()} has started it; null before. */
    Running running() {
        return running;
    }

    /** Stops the application and lets {@link #call()} return. */
    void stop() {
        Running r = running;
        if (r != null) {
            r.stop();
        }
        StackHost h = stackHost;
        if (h != null) {
            h.close();
        }
        stopped.countDown();
    }

    private static String describe(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
