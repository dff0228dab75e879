package io.fttcp.roles.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigFileTest {
    static final String MINIMAL = """
            service.address = 198.18.0.100
            service.ports = 80
            replication.primary = 198.18.0.1
            """;

    @Test
    void theShippedExampleParsesWithItsDocumentedDefaults() throws ConfigException {
        FtConfig c = ConfigFile.read(Path.of("..", "fttcp.conf.example"));
        assertEquals(List.of(80), c.servicePorts());
        assertEquals(Duration.ofMillis(150).toNanos(), c.channel().detectionTimeoutNanos());
        assertEquals(Duration.ofSeconds(10), c.awaitBackup());
        assertTrue(c.outputHashing());
    }

    /** The example is the reference of the keys (the README says so): each key it shows, set or commented out, is one the parser takes, and each one the parser takes is shown. */
    @Test
    void theShippedExampleShowsEveryKeyAndNoOther() throws Exception {
        java.util.Set<String> shown = new java.util.TreeSet<>();
        for (String line : Files.readAllLines(Path.of("..", "fttcp.conf.example"))) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^#?\\s*([a-z][a-z0-9.-]*)\\s*=").matcher(line);
            if (m.find()) shown.add(m.group(1));
        }
        assertEquals(new java.util.TreeSet<>(ConfigFile.KEYS), shown);
    }

    @Test
    void aMinimalFileGetsTheDocumentedDefaults() throws Exception {
        FtConfig c = ConfigFile.parse("fttcp.conf", MINIMAL);
        assertEquals(0xC6120064, c.serviceAddress());
        assertEquals(List.of(80), c.servicePorts());
        assertEquals("00:00:5e:00:01:01", c.serviceMac().toString());
        assertEquals(24, c.prefixLength());
        assertEquals("tap0", c.tapDevice());
        assertTrue(c.offloads());
        assertEquals(0xC6120001, c.primaryAddress());
        assertEquals(7400, c.replicationPort());
        assertEquals("fttcp", c.channel().clusterId());
        assertEquals(Duration.ofMillis(20).toNanos(), c.channel().heartbeatIntervalNanos());
        assertEquals(Duration.ofMillis(150).toNanos(), c.channel().detectionTimeoutNanos());
        assertEquals(Duration.ofMillis(100).toNanos(), c.channel().leaseNanos());
        assertEquals(FtConfig.App.http, c.app());
        assertNull(c.appRoot());
        assertTrue(c.outputHashing());
        assertEquals(FtConfig.Mode.backup, c.mode());
        assertEquals(0, c.backupAddress());
        assertEquals(FtConfig.Retention.connections, c.retention());
        assertEquals(FtConfig.LoggerLoss.stall, c.onLoggerLoss());
        assertEquals(64L << 20, c.retentionLimitBytes());
        assertEquals(2L << 30, ConfigFile.parse("f.conf", MINIMAL + "replication.retention-limit = 2GiB\n").retentionLimitBytes());
        ConfigException bad = assertThrows(ConfigException.class, () -> ConfigFile.parse("f.conf", MINIMAL + "replication.retention-limit = 64MB\n"));
        assertTrue(bad.getMessage().contains("a size with a unit"), bad.getMessage());
    }

    @Test
    void anApplicationWhoseStateSpansConnectionsIsNeverGivenConnectionScopedRetention() throws Exception {
        for (String app : new String[]{"chat", "kv"}) {
            assertEquals(FtConfig.Retention.checkpointed, ConfigFile.parse("f.conf", MINIMAL + "app = " + app + "\n").retention(), app);
            assertEquals(FtConfig.Retention.everything,
                    ConfigFile.parse("f.conf", MINIMAL + "app = " + app + "\nreplication.retention = everything\n").retention(), app);
            ConfigException bad = assertThrows(ConfigException.class,
                    () -> ConfigFile.parse("f.conf", MINIMAL + "app = " + app + "\nreplication.retention = connections\n"));
            assertTrue(bad.getMessage().contains("f.conf:5: replication.retention = connections cannot rebuild app = " + app), bad.getMessage());
        }
        assertEquals(FtConfig.Retention.connections, ConfigFile.parse("f.conf", MINIMAL + "app = echo\n").retention());
    }

    @Test
    void theReplicationWindowDefaultsWiderForALoggerThanForABackup() throws Exception {
        assertEquals(1 << 20, ConfigFile.parse("f.conf", MINIMAL).channel().maxInFlightBytes());
        assertEquals(4 << 20, ConfigFile.parse("f.conf", MINIMAL + "replication.mode = logger\nlogger.address = 198.18.0.3\n")
                .channel().maxInFlightBytes());
        assertEquals(16 << 20, ConfigFile.parse("f.conf", MINIMAL + "replication.in-flight = 16MiB\n").channel().maxInFlightBytes());
        for (String bad : List.of("0MiB", "2GiB", "512KiB", "lots")) {
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.parse("f.conf", MINIMAL + "replication.in-flight = " + bad + "\n"));
            assertTrue(e.getMessage().contains("replication.in-flight"), e.getMessage());
        }
    }

    @Test
    void theReplayLagBoundDefaultsTo32MiBAndIsAtLeastOneMiB() throws Exception {
        assertEquals(32L << 20, ConfigFile.parse("f.conf", MINIMAL).maxLagBytes());
        assertEquals(1L << 20, ConfigFile.parse("f.conf", MINIMAL + "replication.max-lag = 1MiB\n").maxLagBytes());
        assertEquals(1L << 30, ConfigFile.parse("f.conf", MINIMAL + "replication.max-lag = 1GiB\n").maxLagBytes());
        for (String bad : List.of("0MiB", "512KiB", "lots")) {
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.parse("f.conf", MINIMAL + "replication.max-lag = " + bad + "\n"));
            assertTrue(e.getMessage().contains("replication.max-lag"), e.getMessage());
        }
    }

    @Test
    void loggerModeNeedsTheLoggerAddressButNotThePrimarys() throws Exception {
        FtConfig c = ConfigFile.parse("fttcp.conf", """
                service.address = 198.18.0.100
                service.ports = 80
                replication.mode = logger
                logger.address = 198.18.0.3
                logger.port = 7501
                logger.on-loss = continue
                replication.retention = everything
                """);
        assertEquals(FtConfig.Mode.logger, c.mode());
        assertEquals(0xC6120003, c.loggerAddress());
        assertEquals(7501, c.loggerPort());
        assertEquals(FtConfig.LoggerLoss.continue_unprotected, c.onLoggerLoss());
        assertEquals(FtConfig.Retention.everything, c.retention());
        ConfigException missing = assertThrows(ConfigException.class, () -> ConfigFile.parse("f.conf", """
                service.address = 198.18.0.100
                service.ports = 80
                replication.mode = logger
                """));
        assertTrue(missing.getMessage().contains("logger.address is required"), missing.getMessage());
        ConfigException badLoss = assertThrows(ConfigException.class, () -> ConfigFile.parse("f.conf", MINIMAL + "logger.on-loss = maybe\n"));
        assertTrue(badLoss.getMessage().contains("stall or continue"), badLoss.getMessage());
    }

    @Test
    void aStoppedPrimaryHandsItsConnectionsOverUnlessToldToCloseThem() throws Exception {
        assertEquals(FtConfig.OnStop.hand_over, ConfigFile.parse("f.conf", MINIMAL).onStop());
        assertEquals(FtConfig.OnStop.close, ConfigFile.parse("f.conf", MINIMAL + "replication.on-stop = close\n").onStop());
        assertEquals(FtConfig.OnStop.hand_over, ConfigFile.parse("f.conf", MINIMAL + "replication.on-stop = hand-over\n").onStop());
        ConfigException bad = assertThrows(ConfigException.class, () -> ConfigFile.parse("f.conf", MINIMAL + "replication.on-stop = drain\n"));
        assertTrue(bad.getMessage().contains("replication.on-stop = drain: hand-over or close"), bad.getMessage());
    }

    @Test
    void theBackupAddressMustBeAnotherHost() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.parse("f.conf", MINIMAL + "replication.backup = 198.18.0.1\n"));
        assertTrue(e.getMessage().contains("replication.backup must differ"), e.getMessage());
        ConfigException s = assertThrows(ConfigException.class, () -> ConfigFile.parse("f.conf", MINIMAL + "replication.backup = 198.18.0.100\n"));
        assertTrue(s.getMessage().contains("service.address must differ"), s.getMessage());
    }

    @Test
    void everyKeyCanBeSetWithCommentsAndBlankLines() throws Exception {
        FtConfig c = ConfigFile.parse("fttcp.conf", """
                # the demo service
                service.address = 198.18.0.100   # clients use this
                service.ports   = 80, 8080, 80

                service.mac     = 00:00:5e:00:01:07
                service.prefix  = 16
                link.tap        = tap3
                link.offloads   = false
                replication.primary   = 198.18.0.1
                replication.port      = 9000
                replication.cluster   = shop
                replication.heartbeat = 50ms
                replication.detection = 1s
                replication.lease     = 600ms
                app            = echo
                app.root       = /srv/files
                app.upload-dir = /srv/up
                app.output-hash = false
                """);
        assertEquals(List.of(80, 8080), c.servicePorts(), "duplicates folded");
        assertEquals("00:00:5e:00:01:07", c.serviceMac().toString());
        assertEquals(16, c.prefixLength());
        assertEquals("tap3", c.tapDevice());
        assertFalse(c.offloads());
        assertEquals(9000, c.replicationPort());
        assertEquals("shop", c.channel().clusterId());
        assertEquals(Duration.ofSeconds(1).toNanos(), c.channel().detectionTimeoutNanos());
        assertEquals(FtConfig.App.echo, c.app());
        assertEquals(Path.of("/srv/files"), c.appRoot());
        assertEquals(Path.of("/srv/up"), c.appUploadDir());
        assertFalse(c.outputHashing());
    }

    @Test
    void mistakesNameTheLineAndWhatIsExpected() {
        assertError(MINIMAL + "replication.detecton = 150ms\n", "fttcp.conf:4: unknown key 'replication.detecton'; did you mean 'replication.detection'?");
        assertError(MINIMAL + "service.prefix = 40\n", "fttcp.conf:4: service.prefix = 40: must be 1..32");
        assertError(MINIMAL + "replication.lease = 100\n", "fttcp.conf:4: replication.lease = 100: a duration with a unit, like 150ms or 2s");
        assertError(MINIMAL + "link.offloads = yes\n", "fttcp.conf:4: link.offloads = yes: must be true or false");
        assertError(MINIMAL + "service.ports = 80\n", "fttcp.conf:4: service.ports is set twice (first on line 2)");
        assertError(MINIMAL + "this is not a setting\n", "fttcp.conf:4: expected 'key = value', found 'this is not a setting'");
        assertError("service.address = 198.18.0.300\nservice.ports = 80\nreplication.primary = 198.18.0.1\n",
                "fttcp.conf:1: service.address = 198.18.0.300: a dotted IPv4 address, like 198.18.0.100");
        assertError("service.address = 198.18.0.100\nreplication.primary = 198.18.0.1\n", "fttcp.conf: service.ports is required");
        assertError(MINIMAL.replace("198.18.0.1\n", "198.18.0.100\n"), "fttcp.conf: service.address must differ from the replica hosts' own addresses");
        assertError(MINIMAL + "app = ftp\n", "fttcp.conf:4: app = ftp:");
    }

    @Test
    void timingsThatWouldLetTwoPrimariesSpeakAreRefused() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigFile.parse("fttcp.conf", MINIMAL + "replication.lease = 140ms\n"));
        assertTrue(e.getMessage().startsWith("fttcp.conf: replication timings: lease (140.0 ms) + margin (50.0 ms) must not exceed the detection timeout"),
                e.getMessage());
    }

    /** A duration past the clock's range overflowed in the timings' arithmetic (an ArithmeticException, a stack trace); await-backup took it silently. */
    @Test
    void aDurationBeyondADayIsAMistakeNamedOnItsLine() {
        for (String key : List.of("replication.heartbeat", "replication.detection", "replication.lease", "replication.warmup", "replication.await-backup")) {
            for (String huge : List.of("9999999999999s", "99999999999999999999ms", "86401s")) {
                assertError(MINIMAL + key + " = " + huge + "\n", "fttcp.conf:4: " + key + " = " + huge + ": at most 1 day (86400s)");
            }
        }
    }

    /** They said "No enum constant io.fttcp.roles.config.FtConfig.Mode.Logger": the class's name, not what to write. */
    @Test
    void aWordOutsideAKeysChoicesNamesTheChoices() {
        assertError(MINIMAL + "replication.mode = Logger\n", "fttcp.conf:4: replication.mode = Logger: backup or logger");
        assertError(MINIMAL + "app = ftp\n", "fttcp.conf:4: app = ftp: http, echo, chat or kv");
        assertError(MINIMAL + "replication.retention = all\n", "fttcp.conf:4: replication.retention = all: connections, everything or checkpointed");
    }

    /** A group (multicast, broadcast) or all-zero source MAC is dropped by a Linux bridge: the service started, and nobody reached it. */
    @Test
    void theServiceMacMustBeAUnicastAddress() throws Exception {
        for (String mac : List.of("01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00", "33:33:00:00:00:01")) {
            assertError(MINIMAL + "service.mac = " + mac + "\n", "fttcp.conf:4: service.mac = " + mac + ": a unicast address");
        }
        assertEquals("02:00:00:00:00:01", ConfigFile.parse("f.conf", MINIMAL + "service.mac = 02:00:00:00:00:01\n").serviceMac().toString(),
                "a locally administered unicast address is fine");
    }

    /**
     * 0.0.0.0 stood for "not configured", so a required replication.primary (or logger.address) of
     * 0.0.0.0 passed, and the backup dialled its own host; group, reserved and broadcast addresses
     * passed as a service's or a replica's; the service could be given its subnet's own or broadcast
     * address, or the loopback, which no client reaches; and the logger could be told to live at the
     * service's address, which the primary's own stack answers for.
     */
    @Test
    void anAddressNoHostCanOwnIsRefusedWhereItIsWritten() {
        String logged = "service.address = 198.18.0.100\nservice.ports = 80\nreplication.mode = logger\n";
        for (String a : List.of("0.0.0.0", "0.1.2.3", "224.0.0.1", "239.1.1.1", "240.0.0.1", "255.255.255.255")) {
            assertError("service.address = " + a + "\nservice.ports = 80\nreplication.primary = 198.18.0.1\n",
                    "fttcp.conf:1: service.address = " + a + ": a host's unicast address");
            assertError("service.address = 198.18.0.100\nservice.ports = 80\nreplication.primary = " + a + "\n",
                    "fttcp.conf:3: replication.primary = " + a + ": a host's unicast address");
            assertError(MINIMAL + "replication.backup = " + a + "\n", "fttcp.conf:4: replication.backup = " + a + ": a host's unicast address");
            assertError(logged + "logger.address = " + a + "\n", "fttcp.conf:4: logger.address = " + a + ": a host's unicast address");
        }
        String rest = "\nservice.ports = 80\nreplication.primary = 198.18.0.1\n";
        assertError("service.address = 127.0.0.1" + rest, "fttcp.conf:1: service.address = 127.0.0.1: a loopback address");
        assertError("service.address = 198.18.0.0" + rest, "fttcp.conf:1: service.address = 198.18.0.0: the subnet's own address (service.prefix = 24)");
        assertError("service.address = 198.18.0.255" + rest, "fttcp.conf:1: service.address = 198.18.0.255: the subnet's broadcast address (service.prefix = 24)");
        assertError("service.address = 198.18.255.255\nservice.prefix = 16" + rest,
                "fttcp.conf:1: service.address = 198.18.255.255: the subnet's broadcast address (service.prefix = 16)");
        assertDoesNotThrow(() -> ConfigFile.parse("f.conf", "service.address = 198.18.0.255\nservice.prefix = 16" + rest));
        assertDoesNotThrow(() -> ConfigFile.parse("f.conf", "service.address = 198.18.0.0\nservice.prefix = 31" + rest), "RFC 3021");
        assertError(logged + "logger.address = 198.18.0.100\n", "fttcp.conf:4: logger.address = 198.18.0.100: must differ from service.address");
    }

    /**
     * A missing file said its own name twice ("cannot read configuration f: f"), a file in
     * Latin-1 "Input length = 1", and any file was read whole, however large (a log file given by
     * mistake, or /dev/zero: until the heap ran out).
     */
    @Test
    void aFileThatCannotBeReadSaysWhy(@TempDir Path dir) throws Exception {
        assertReadError(dir.resolve("missing.conf"), "cannot read configuration " + dir.resolve("missing.conf") + ": no such file");
        assertReadError(dir, "cannot read configuration " + dir + ": a directory, not a file");
        Path latin1 = dir.resolve("latin1.conf");
        Files.write(latin1, (MINIMAL + "replication.cluster = caf\u00e9\n").getBytes(StandardCharsets.ISO_8859_1));
        assertReadError(latin1, latin1 + ":4: not UTF-8 text");
        Path huge = dir.resolve("huge.conf");
        Files.writeString(huge, MINIMAL + ("#" + " ".repeat(1023) + "\n").repeat(2048));
        assertReadError(huge, "cannot read configuration " + huge + ": larger than 1 MiB, not a configuration file");
        Path utf8 = dir.resolve("utf8.conf");
        Files.writeString(utf8, MINIMAL + "replication.cluster = caf\u00e9\n");
        assertEquals("caf\u00e9", ConfigFile.read(utf8).channel().clusterId());
        Path bom = dir.resolve("bom.conf"); // as some Windows editors save UTF-8: the mark was read as part of the first key
        Files.writeString(bom, "\ufeff" + MINIMAL);
        assertEquals(List.of(80), ConfigFile.read(bom).servicePorts());
    }

    /**
     * The line pattern's lazy value before optional trailing blanks took time quadratic in a run
     * of blanks (100,000 of them: about 12 s; a megabyte: hours), and an error quoted a line or
     * key whole, however long.
     */
    @Test
    void aLongLineIsReadInLinearTimeAndQuotedShort() throws Exception {
        String root = "/srv/a" + " ".repeat(100_000) + "b";
        FtConfig c = assertTimeoutPreemptively(Duration.ofSeconds(3), () -> ConfigFile.parse("f.conf", MINIMAL + "app.root = " + root + "  \n"));
        assertEquals(Path.of(root), c.appRoot());
        for (String line : List.of("x".repeat(100_000), "no-such-key" + "s".repeat(100_000) + " = 1", "service.mac = " + "0".repeat(100_000))) {
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.parse("f.conf", MINIMAL + line + "\n"));
            String shown = e.getMessage().length() + " characters: " + e.getMessage().substring(0, Math.min(200, e.getMessage().length()));
            assertTrue(e.getMessage().startsWith("f.conf:4: ") && e.getMessage().length() < 1000, shown);
            assertTrue(e.getMessage().contains("characters)"), shown);
        }
    }

    private static void assertReadError(Path file, String expectedStart) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.read(file));
        assertTrue(e.getMessage().startsWith(expectedStart), "got: " + e.getMessage());
    }

    /** An empty or overlong cluster id was reported as "fttcp.conf: replication timings: cluster id ...", without its line. */
    @Test
    void aClusterIdTheHandshakeCannotCarryIsAMistakeOnItsLine() {
        assertError(MINIMAL + "replication.cluster =\n", "fttcp.conf:4: replication.cluster = : 1 to 255 bytes of UTF-8");
        assertError(MINIMAL + "replication.cluster = " + "\u00e9".repeat(128) + "\n", "fttcp.conf:4: replication.cluster = ");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.parse("fttcp.conf", MINIMAL + "replication.cluster = " + "\u00e9".repeat(128) + "\n"));
        assertTrue(e.getMessage().endsWith(": 1 to 255 bytes of UTF-8, the same on every server of the service (256 bytes)"), e.getMessage());
    }

    /** A cluster id goes into log lines, ours and the peers': with a control character in it, peers refuse its handshake. */
    @Test
    void aClusterIdWithAControlCharacterIsAMistakeOnItsLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.parse("fttcp.conf", MINIMAL + "replication.cluster = a\u0007b\n"));
        assertTrue(e.getMessage().startsWith("fttcp.conf:4: replication.cluster = "), e.getMessage());
        assertTrue(e.getMessage().endsWith(": no control characters (it goes into log lines, and peers refuse it)"), e.getMessage());
    }

    /**
     * A file that names a logger but not replication.mode = logger (the mode's default is backup)
     * started a primary that waited for a backup nobody would start, and then served unprotected,
     * the logger unused.
     */
    @Test
    void aLoggerAddressWithoutLoggerModeIsAMistake() {
        assertError(MINIMAL + "logger.address = 198.18.0.3\n",
                "fttcp.conf:4: logger.address is set, but replication.mode is backup (the default): set replication.mode = logger, or remove logger.address");
        assertError(MINIMAL + "replication.mode = backup\nlogger.address = 198.18.0.3\n",
                "fttcp.conf:5: logger.address is set, but replication.mode is backup (line 4)");
    }

    private static void assertError(String text, String expectedStart) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.parse("fttcp.conf", text));
        assertTrue(e.getMessage().startsWith(expectedStart), "got: " + e.getMessage());
    }
}
