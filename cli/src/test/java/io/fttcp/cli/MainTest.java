package io.fttcp.cli;

import io.fttcp.apps.http.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MainTest {

    /** Runs a command line with captured streams. */
    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine(command);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static Run run(String... args) {
        return run(new Main(), args);
    }

    @Test
    void helpListsTheSubcommands() {
        Run help = run("--help");
        assertEquals(0, help.exitCode());
        for (String sub : new String[]{"serve", "demo", "bench", "help"}) {
            assertTrue(help.out().contains(sub), "help lacks " + sub + ":\n" + help.out());
        }
        Run serveHelp = run("serve", "--help");
        assertEquals(0, serveHelp.exitCode());
        for (String option : new String[]{"--network", "--app", "--listen", "--root", "--upload-dir"}) {
            assertTrue(serveHelp.out().contains(option), "serve help lacks " + option);
        }
        assertEquals(0, run("help", "serve").exitCode());
    }

    @Test
    void aMetricsAddressInUseIsAClearErrorBeforeTheServerStarts() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path dir = java.nio.file.Files.createTempDirectory("fttcp-main-test-");
            try {
                Run logger = run("logger", "--dir", dir.toString(), "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:" + taken.getLocalPort());
                assertEquals(2, logger.exitCode(), logger.out() + logger.err());
                assertTrue(logger.err().contains("cannot serve metrics at"), logger.err());
                assertFalse(logger.out().contains("listening"), "the logger did not start: " + logger.out());
            } finally {
                try (var files = java.nio.file.Files.walk(dir)) {
                    for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) java.nio.file.Files.deleteIfExists(p);
                }
            }
        }
        Run badMetrics = run("primary", "--metrics", "nowhere");
        assertEquals(2, badMetrics.exitCode());
        assertTrue(badMetrics.err().contains("expected ADDR:PORT"), badMetrics.err());
    }

    /**
     * A cluster's log that fails (here its next segment cannot be created, as on a full disk)
     * ends the logger with an error and a non-zero exit, for its supervisor to start it again (a
     * start recovers the log); it used to stay up, unable to serve that cluster, and no
     * supervisor restarts a process that runs.
     */
    @Test
    void aLoggerWhoseLogFailsEndsWithAnErrorForItsSupervisor() throws Exception {
        Path dir = java.nio.file.Files.createTempDirectory("fttcp-main-test-");
        try {
            int port;
            try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = free.getLocalPort();
            }
            java.util.concurrent.CompletableFuture<Run> logger = java.util.concurrent.CompletableFuture.supplyAsync(() -> run("logger",
                    "--dir", dir.toString(), "--listen", "127.0.0.1:" + port, "--segment-size", "1", "--detection", "450ms", "--lease", "300ms"));
            io.fttcp.replication.channel.ChannelConfig channel = io.fttcp.replication.channel.ChannelConfig.defaults("alpha")
                    .withTimings(java.time.Duration.ofMillis(20), java.time.Duration.ofMillis(450), java.time.Duration.ofMillis(300), java.time.Duration.ofMillis(150));
            io.fttcp.replication.channel.PrimaryChannel primary = null;
            long end = System.nanoTime() + 10_000_000_000L;
            while (primary == null) {
                try {
                    primary = io.fttcp.replication.channel.PrimaryChannel.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), null,
                            java.time.Duration.ofSeconds(5), channel, 1, channel.newRecordStream(), null, reason -> { });
                } catch (java.io.IOException notYetListening) {
                    assertFalse(logger.isDone(), () -> "the logger ended: " + logger.join());
                    assertTrue(System.nanoTime() - end < 0, "the logger does not listen: " + notYetListening);
                    Thread.sleep(20);
                }
            }
            try (io.fttcp.replication.channel.PrimaryChannel p = primary) {
                p.append(new io.fttcp.replication.record.Seed(0));
                long stableBy = System.nanoTime() + 5_000_000_000L;
                while (p.stableLsn() < 1 && System.nanoTime() - stableBy < 0) Thread.sleep(5);
                // 1 MiB segments hold 26,214 40-byte SEED frames: the roll at LSN 26,215 cannot create its segment.
                java.nio.file.Files.createDirectory(dir.resolve("alpha").resolve("00000000000000026215.seg"));
                for (int i = 2; i <= 26_300; i++) p.append(new io.fttcp.replication.record.Seed(i));
                Run stopped = logger.get(10, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(1, stopped.exitCode(), stopped.out() + stopped.err());
                assertTrue(stopped.err().contains("the log of cluster 'alpha' failed") && stopped.err().contains("00000000000000026215.seg"),
                        stopped.err());
            }
        } finally {
            try (var files = java.nio.file.Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) java.nio.file.Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void unknownOptionsAndBadValuesAreClearUsageErrors() {
        Run unknown = run("serve", "--bogus");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("Unknown option: '--bogus'"), unknown.err());

        Run badApp = run("serve", "--app", "ftp");
        assertEquals(2, badApp.exitCode());
        assertTrue(badApp.err().contains("--app"), badApp.err());

        Run badListen = run("serve", "--listen", "localhost");
        assertEquals(2, badListen.exitCode());
        assertTrue(badListen.err().contains("expected ADDR:PORT"), badListen.err());

        Run badPort = run("serve", "--listen", "127.0.0.1:70000");
        assertEquals(2, badPort.exitCode());
        assertTrue(badPort.err().contains("0..65535"), badPort.err());

        Run unknownCommand = run("fly");
        assertEquals(2, unknownCommand.exitCode());
        assertTrue(unknownCommand.err().contains("fly"), unknownCommand.err());

        assertEquals(2, run().exitCode(), "no subcommand is a usage error");
    }

    @Test
    void serveOptionsParse() {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).setCaseInsensitiveEnumValuesAllowed(true)
                .parseArgs("--network", "KERNEL", "--app", "echo", "--listen", "127.0.0.1:9000", "--root", "/srv", "--upload-dir", "/tmp/up");
        assertEquals(ServeCommand.NetworkKind.kernel, serve.network);
        assertEquals(ServeCommand.App.echo, serve.app);
        assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9000), serve.listen);
        assertEquals(Path.of("/srv"), serve.root);
        assertEquals(Path.of("/tmp/up"), serve.uploadDir);

        ServeCommand defaults = new ServeCommand();
        new CommandLine(defaults).parseArgs();
        assertEquals(ServeCommand.NetworkKind.kernel, defaults.network);
        assertEquals(ServeCommand.App.http, defaults.app);
        assertEquals(8080, defaults.listen.getPort());
        assertTrue(defaults.listen.getAddress().isAnyLocalAddress());
        assertNull(defaults.root);

        assertEquals(9001, new ListenAddress().convert(":9001").getPort());
        assertTrue(new ListenAddress().convert(":9001").getAddress().isAnyLocalAddress());
        assertTrue(new ListenAddress().convert("[::1]:1").getAddress().isLoopbackAddress());
    }

    @Test
    void notYetAvailableCommandsSaySoAndExit2() {
        Run stack = run("serve", "--network", "stack");
        assertEquals(2, stack.exitCode());
        assertTrue(stack.err().contains("needs the stack's own address"), stack.err());
    }

    /** They failed where the stack's configuration was built: exit code 1 and a stack trace, for a mistyped option. */
    @Test
    void badStackOptionsAreUsageErrorsNotStackTraces() {
        String[][] cases = {
                {"--prefix", "40", "--prefix"}, {"--prefix", "0", "--prefix"}, {"--mac", "zz", "--mac"},
                {"--mac", "01:00:5e:00:00:01", "--mac"}, {"--mac", "00:00:00:00:00:00", "--mac"}, {"--listen", "[::1]:80", "IPv4"}};
        for (String[] c : cases) {
            Run r = c[0].equals("--listen") ? run("serve", "--network", "stack", c[0], c[1])
                    : run("serve", "--network", "stack", "--listen", "198.18.0.100:80", c[0], c[1]);
            assertEquals(2, r.exitCode(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().contains(c[2]), r.err());
            assertFalse(r.err().contains("\tat "), "no stack trace expected:\n" + r.err());
        }
    }

    /** The logger's socket is IPv4 only: an IPv6 --listen said "fttcp logger: null", a stack trace, exit code 1. */
    @Test
    void aLoggerListenAddressOtherThanIPv4IsAUsageError(@TempDir Path dir) {
        Run r = run("logger", "--dir", dir.toString(), "--listen", "[::1]:0");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("--listen") && r.err().contains("IPv4"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace expected:\n" + r.err());
        assertFalse(r.out().contains("listening"), r.out());
    }

    /**
     * A failure of the file system whose exception carries only the file (no such file, permission
     * denied, already exists) said just that: "fttcp logger: /proc/fttcp-log", and not why.
     */
    @Test
    void aLogDirectoryThatCannotBeCreatedSaysWhy() {
        Path nowhere = Path.of("/proc", "fttcp-main-test-" + System.nanoTime());
        assumeTrue(java.nio.file.Files.isDirectory(Path.of("/proc")) && !java.nio.file.Files.exists(nowhere), "needs Linux's /proc");
        Run r = run("logger", "--dir", nowhere.toString(), "--listen", "127.0.0.1:0");
        assertEquals(1, r.exitCode(), r.err());
        assertEquals("fttcp logger: " + nowhere + ": no such file or directory\n", r.err());
        assertEquals("fttcp: /a: permission denied", "fttcp: " + Main.describe(new java.nio.file.AccessDeniedException("/a")));
        assertEquals("fttcp: /a: already exists", "fttcp: " + Main.describe(new java.nio.file.FileAlreadyExistsException("/a")));
        assertEquals("fttcp: /a: Not a directory", "fttcp: " + Main.describe(new java.nio.file.FileSystemException("/a", null, "Not a directory")));
        assertEquals("fttcp: java.nio.channels.UnsupportedAddressTypeException", "fttcp: " + Main.describe(new java.nio.channels.UnsupportedAddressTypeException()));
    }

    /** A segment size under 1 MiB was reported in bytes, as no operator wrote it: "segment size must be positive: -5242880". */
    @Test
    void aLoggerSegmentSizeUnderOneMiBNamesTheOptionAndWhatWasWritten(@TempDir Path dir) {
        for (String size : new String[]{"0", "-5"}) {
            Run r = run("logger", "--dir", dir.toString(), "--listen", "127.0.0.1:0", "--segment-size", size);
            assertEquals(2, r.exitCode(), r.err());
            assertTrue(r.err().contains("--segment-size must be at least 1 (MiB), got " + size), r.err());
        }
    }

    /** The handshake limits name their options when they cannot work together. */
    @Test
    void loggerHandshakeLimitsThatCannotWorkNameTheirOptions(@TempDir Path dir) {
        for (String[] limits : new String[][]{{"64", "0"}, {"8", "16"}}) {
            Run r = run("logger", "--dir", dir.toString(), "--listen", "127.0.0.1:0", "--max-handshakes", limits[0], "--max-handshakes-per-host", limits[1]);
            assertEquals(2, r.exitCode(), r.err());
            assertTrue(r.err().contains("--max-handshakes-per-host must be at least 1 and at most --max-handshakes, got " + limits[1]
                    + " per host and " + limits[0] + " in all"), r.err());
        }
    }

    /** Every replica command reads fttcp.conf first: a mistake in it, or a file that is not one, is one line and exit code 2, and nothing starts. */
    @Test
    void aConfigurationMistakeIsOneLineAndNothingStarts(@TempDir Path dir) throws Exception {
        Path typo = java.nio.file.Files.writeString(dir.resolve("typo.conf"),
                "service.address = 198.18.0.100\nservice.ports = 80\nreplication.primary = 198.18.0.1\nreplication.detecton = 150ms\n");
        Path missing = dir.resolve("missing.conf");
        for (String command : new String[]{"primary", "backup", "standby"}) {
            for (Path config : new Path[]{typo, missing, dir}) {
                Run r = run(command, "--config", config.toString());
                assertEquals(2, r.exitCode(), command + " " + config + ": " + r.err());
                assertEquals(1, r.err().lines().count(), r.err());
                assertTrue(r.err().startsWith("fttcp " + command + ": ") && r.err().contains(config.toString()), r.err());
                assertEquals("", r.out());
            }
        }
        Run twice = run("primary", "--config", typo.toString(), "--config", missing.toString());
        assertEquals(2, twice.exitCode());
        assertTrue(twice.err().startsWith("option '--config' (FILE) should be specified only once"), twice.err());
    }

    @Test
    void benchKnowsTheStackAndFailoverTargetsAndDescribesTheirResultLines() {
        Run unknown = run("bench", "kernel");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("unknown target 'kernel'"), unknown.err());
        assertEquals(2, run("bench").exitCode(), "a target is required");
        Run help = run("bench", "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("--quick"), help.out());
        assertTrue(help.out().contains("RESULT") && help.out().contains("down_ratio="), help.out());
        assertTrue(help.out().contains("RESULT failover kill_stall_ms_p50="), help.out());
    }

    @Test
    void benchWithoutRootSaysWhyAndExits2() {
        // As root the command would run the real benchmark (that is the bench module's smoke test).
        assumeTrue(io.fttcp.testbed.Topology.unavailableReason().isPresent(), "namespaces are available here");
        Run bench = run("bench", "stack", "--quick");
        assertEquals(2, bench.exitCode());
        assertTrue(bench.err().contains("cannot build the namespace topology"), bench.err());
        assertFalse(bench.out().contains("RESULT"), bench.out());
    }

    @Test
    void demoWithoutRootSaysWhyAndExits2() {
        // As root the demo really runs; the e2e module covers that (DemoCommandE2eTest).
        java.util.Optional<String> unavailable = io.fttcp.testbed.Topology.unavailableReason();
        assumeTrue(unavailable.isPresent(), "running as root: the demo would really run here");
        Run demo = run("demo");
        assertEquals(2, demo.exitCode());
        assertTrue(demo.err().contains(unavailable.get()), demo.err());
        assertTrue(demo.err().contains("sudo ./fttcp demo"), demo.err());
        assertEquals("", demo.out(), "nothing is attempted without root");
    }

    @Test
    void demoHelpSaysWhatItDoes() {
        Run help = run("demo", "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("curl") && help.out().contains("root"), help.out());
    }

    @Test
    void serveHttpOnTheKernelAnswersGen() throws Exception {
        ServeCommand serve = new ServeCommand();
        AtomicInteger exitCode = new AtomicInteger(-1);
        StringWriter out = new StringWriter();
        Thread runner = Thread.ofVirtual().start(() -> {
            CommandLine commandLine = Main.commandLine(serve);
            commandLine.setOut(new PrintWriter(out, true));
            exitCode.set(commandLine.execute("--network", "kernel", "--app", "http", "--listen", "127.0.0.1:0"));
        });
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (serve.running() == null && runner.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertNotNull(serve.running(), "serve did not start; exit code " + exitCode.get());
        int port = serve.running().localAddress().getPort();
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<byte[]> response = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/gen/1000")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, response.statusCode());
            assertEquals(1000, response.body().length);
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(response.body()));
            assertEquals(new Generator(0).sha256Hex(1000), sha);
        } finally {
            serve.stop();
        }
        runner.join(10_000);
        assertEquals(0, exitCode.get());
        assertTrue(out.toString().contains("listening on 127.0.0.1:" + port), out.toString());
    }

    @Test
    void serveEchoEchoesLines() throws Exception {
        ServeCommand serve = new ServeCommand();
        Main.commandLine(serve).parseArgs("--app", "echo", "--listen", "127.0.0.1:0");
        ServeCommand.Running running = serve.start(new io.fttcp.api.kernel.KernelNetwork());
        try (java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), running.localAddress().getPort())) {
            socket.setSoTimeout(10_000);
            byte[] line = "ping \u00e9\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            socket.getOutputStream().write(line);
            assertArrayEquals(line, socket.getInputStream().readNBytes(line.length));
        } finally {
            running.stop();
        }
    }

    @Test
    void aPortInUseIsOneClearLine() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run run = run("serve", "--listen", "127.0.0.1:" + taken.getLocalPort());
            assertEquals(1, run.exitCode());
            assertTrue(run.err().startsWith("fttcp serve: "), run.err());
            assertFalse(run.err().contains("\tat "), "no stack trace expected:\n" + run.err());
        }
    }
}
