package io.fttcp.roles.config;

import io.fttcp.link.ethernet.MacAddress;
import io.fttcp.replication.channel.ChannelConfig;
import io.fttcp.replication.codec.Handshake;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code fttcp.conf}: UTF-8, one {@code key = value} per line, {@code #} starts a comment.
 * Durations take a unit ({@code 20ms}, {@code 1s}) and are at most a day; sizes take one
 * ({@code 64MiB}, {@code 1GiB}); addresses are dotted IPv4. Every mistake is reported with the
 * file and line and what is expected; unknown keys are errors (a typo must not silently fall
 * back to a default). {@code fttcp.conf.example} at the repository's root documents every key
 * (the keys this class accepts) with its default; the commonest:
 *
 * <pre>
 * service.address        = 198.18.0.100        # required: the address clients use
 * service.ports          = 80                  # required: protected TCP ports, comma-separated
 * service.mac            = 00:00:5e:00:01:01   # default: VRRP virtual MAC of VRID 1
 * replication.mode       = backup              # backup | logger
 * replication.primary    = 198.18.0.1          # required in backup mode: the primary host's own address
 * logger.address         = 198.18.0.3          # required in logger mode (refused in backup mode)
 * replication.heartbeat  = 20ms
 * replication.detection  = 150ms               # silence after which the primary is presumed dead
 * replication.lease      = 100ms               # lease + 50 ms must not exceed the detection timeout
 * app                    = http                # http | echo | chat | kv
 * </pre>
 */
public final class ConfigFile {
    /** A configuration is a page or two; a larger file is some other file, named by mistake (or /dev/zero: read whole, it filled the heap). */
    private static final int LARGEST_FILE_BYTES = 1 << 20;
    /** The value is stripped after the match: a lazy value before optional blanks took time quadratic in a run of blanks. */
    private static final Pattern LINE = Pattern.compile("\\s*([a-z][a-z0-9.-]*)\\s*=(.*)");
    /** Errors quote at most this much of a line or key. */
    private static final int LONGEST_QUOTE = 80;
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s)");
    /** Longer is no timing anyone means, and the timings' arithmetic in nanoseconds stays far from overflow. */
    private static final Duration LONGEST_DURATION = Duration.ofDays(1);
    private static final Pattern SIZE = Pattern.compile("(\\d{1,7})\\s*(MiB|GiB)");
    static final List<String> KEYS = List.of("service.address", "service.ports", "service.mac", "service.prefix",
            "link.tap", "link.offloads", "replication.primary", "replication.port", "replication.cluster",
            "replication.heartbeat", "replication.detection", "replication.lease", "replication.warmup", "replication.in-flight", "replication.await-backup", "app", "app.root", "app.upload-dir",
            "app.output-hash", "replication.mode", "replication.backup", "replication.retention", "logger.address", "logger.port",
            "logger.on-loss", "replication.retention-limit", "replication.max-lag", "replication.on-stop");

    private final String source;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, Integer> lines = new LinkedHashMap<>();

    private ConfigFile(String source) {
        this.source = source;
    }

    public static FtConfig read(Path file) throws ConfigException {
        if (Files.isDirectory(file)) throw new ConfigException("cannot read configuration " + file + ": a directory, not a file");
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(LARGEST_FILE_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new ConfigException("cannot read configuration " + file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigException("cannot read configuration " + file + ": permission denied");
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration " + file + ": " + e.getMessage());
        }
        if (bytes.length > LARGEST_FILE_BYTES) {
            throw new ConfigException("cannot read configuration " + file + ": larger than 1 MiB, not a configuration file");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(in).toString();
        } catch (CharacterCodingException e) {
            int line = 1; // the decoder stops at the first byte it cannot read
            for (int i = 0; i < in.position(); i++) if (bytes[i] == '\n') line++;
            throw new ConfigException(file + ":" + line + ": not UTF-8 text (save the file as UTF-8)");
        }
        // A byte-order mark, as some editors begin UTF-8 with, is no part of the first key.
        return parse(file.toString(), text.startsWith("\ufeff") ? text.substring(1) : text);
    }

    public static FtConfig parse(String source, String text) throws ConfigException {
        ConfigFile f = new ConfigFile(source);
        String[] rows = text.split("\r?\n", -1);
        for (int i = 0; i < rows.length; i++) {
            String row = rows[i];
            int hash = row.indexOf('#');
            if (hash >= 0) row = row.substring(0, hash);
            if (row.isBlank()) continue;
            Matcher m = LINE.matcher(row);
            if (!m.matches()) throw f.error(i + 1, "expected 'key = value', found " + quoted(rows[i].strip()));
            String key = m.group(1);
            if (!KEYS.contains(key)) throw f.error(i + 1, "unknown key " + quoted(key) + suggestion(key));
            if (f.values.containsKey(key)) throw f.error(i + 1, key + " is set twice (first on line " + f.lines.get(key) + ")");
            f.values.put(key, m.group(2).strip());
            f.lines.put(key, i + 1);
        }
        return f.build();
    }

    private FtConfig build() throws ConfigException {
        int service = address("service.address", null);
        List<Integer> ports = value("service.ports", null, ConfigFile::ports);
        MacAddress mac = value("service.mac", "00:00:5e:00:01:01", ConfigFile::unicastMac);
        int prefix = integer("service.prefix", "24", 1, 32);
        checkServiceAddress(service, prefix);
        String tap = value("link.tap", "tap0", s -> {
            if (!s.matches("[A-Za-z0-9_.-]{1,15}")) throw new IllegalArgumentException("an interface name of 1 to 15 letters, digits, '_', '.', '-'");
            return s;
        });
        boolean offloads = bool("link.offloads", "true");
        FtConfig.Mode mode = choice("replication.mode", "backup", FtConfig.Mode.class);
        if (mode == FtConfig.Mode.backup && values.containsKey("logger.address")) {
            throw error(lines.get("logger.address"), "logger.address is set, but replication.mode is backup" + (values.containsKey("replication.mode")
                    ? " (line " + lines.get("replication.mode") + ")" : " (the default)") + ": set replication.mode = logger, or remove logger.address");
        }
        int primary = mode == FtConfig.Mode.backup ? address("replication.primary", null) : address("replication.primary", "0.0.0.0");
        int backup = address("replication.backup", "0.0.0.0");
        int logger = mode == FtConfig.Mode.logger ? address("logger.address", null) : address("logger.address", "0.0.0.0");
        if (mode == FtConfig.Mode.logger && logger == service) {
            throw error(lines.get("logger.address"), "logger.address = " + values.get("logger.address")
                    + ": must differ from service.address (the primary's own stack answers there)");
        }
        int loggerPort = integer("logger.port", "7500", 1, 65535);
        FtConfig.LoggerLoss onLoss = value("logger.on-loss", "stall", s -> switch (s) {
            case "stall" -> FtConfig.LoggerLoss.stall;
            case "continue" -> FtConfig.LoggerLoss.continue_unprotected;
            default -> throw new IllegalArgumentException("stall or continue");
        });
        FtConfig.OnStop onStop = value("replication.on-stop", "hand-over", s -> switch (s) {
            case "hand-over" -> FtConfig.OnStop.hand_over;
            case "close" -> FtConfig.OnStop.close;
            default -> throw new IllegalArgumentException("hand-over or close");
        });
        FtConfig.App app = choice("app", "http", FtConfig.App.class);
        // An application whose state spans connections is rebuilt only from a checkpoint or the whole history.
        FtConfig.Retention retention = choice("replication.retention", app.spansConnections() ? "checkpointed" : "connections",
                FtConfig.Retention.class);
        if (app.spansConnections() && retention == FtConfig.Retention.connections) {
            throw error(lines.getOrDefault("replication.retention", 0), "replication.retention = connections cannot rebuild app = " + app
                    + " (its state spans connections): use checkpointed or everything");
        }
        long retentionLimit = value("replication.retention-limit", "64MiB", ConfigFile::size);
        long maxLag = value("replication.max-lag", FtConfig.DEFAULT_MAX_LAG_BYTES / (1 << 20) + "MiB", ConfigFile::size);
        if (maxLag < 1 << 20) {
            throw error(lines.getOrDefault("replication.max-lag", 0), "replication.max-lag = " + values.get("replication.max-lag")
                    + ": at least 1MiB (at 0 every acknowledgement would wait for the application)");
        }
        int port = integer("replication.port", "7400", 1, 65535);
        String cluster = value("replication.cluster", "fttcp", s -> {
            int bytes = s.getBytes(StandardCharsets.UTF_8).length;
            if (bytes < 1 || bytes > Handshake.MAX_CLUSTER_ID_BYTES) {
                throw new IllegalArgumentException("1 to " + Handshake.MAX_CLUSTER_ID_BYTES + " bytes of UTF-8, the same on every server of the service ("
                        + bytes + " bytes)");
            }
            if (io.fttcp.replication.codec.PeerText.hasControlCharacter(s)) {
                throw new IllegalArgumentException("no control characters (it goes into log lines, and peers refuse it)");
            }
            return s;
        });
        Duration heartbeat = duration("replication.heartbeat", "20ms");
        Duration detection = duration("replication.detection", "150ms");
        Duration lease = duration("replication.lease", "100ms");
        Duration awaitBackup = duration("replication.await-backup", "10s");
        Duration warmup = duration("replication.warmup", "2s");
        // The logger acknowledges in group commits: it needs a wider window (see ChannelConfig).
        long inFlight = value("replication.in-flight", (mode == FtConfig.Mode.logger ? ChannelConfig.DEFAULT_LOGGER_IN_FLIGHT_BYTES
                : ChannelConfig.DEFAULT_MAX_IN_FLIGHT_BYTES) / (1 << 20) + "MiB", ConfigFile::size);
        if (inFlight < 1 << 20 || inFlight > 1L << 30) {
            throw error(lines.getOrDefault("replication.in-flight", 0), "replication.in-flight = " + values.get("replication.in-flight")
                    + ": between 1MiB and 1GiB");
        }
        ChannelConfig channel;
        try {
            channel = ChannelConfig.defaults(cluster).withTimings(heartbeat, detection, lease, ChannelConfig.DEFAULT_LEASE_MARGIN).withWarmup(warmup)
                    .withMaxInFlightBytes((int) inFlight);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": replication timings: " + e.getMessage());
        }
        Path root = value("app.root", "", s -> s.isEmpty() ? null : Path.of(s));
        Path uploads = value("app.upload-dir", "", s -> s.isEmpty() ? null : Path.of(s));
        boolean hash = bool("app.output-hash", "true");
        if (service == primary || service == backup) {
            throw new ConfigException(source + ": service.address must differ from the replica hosts' own addresses (replication.primary, replication.backup)");
        }
        if (backup != 0 && backup == primary) throw new ConfigException(source + ": replication.backup must differ from replication.primary");
        return new FtConfig(service, ports, mac, prefix, tap, offloads, primary, port, channel, awaitBackup, app, root, uploads, hash,
                mode, backup, logger, loggerPort, onLoss, retention, retentionLimit, maxLag, onStop);
    }

    private <T> T value(String key, String fallback, Function<String, T> parse) throws ConfigException {
        String v = values.get(key);
        if (v == null) {
            if (fallback == null) throw new ConfigException(source + ": " + key + " is required");
            v = fallback;
        }
        try {
            return parse.apply(v);
        } catch (RuntimeException e) {
            String why = e instanceof IllegalArgumentException && e.getMessage() != null ? e.getMessage() : e.toString();
            if (v.length() > LONGEST_QUOTE) why = why.replace(v, shown(v)); // a parser's message may quote the value too
            throw error(lines.getOrDefault(key, 0), key + " = " + shown(v) + ": " + why);
        }
    }

    /** One of an enum's constants, by its name; anything else is told the names. */
    private <E extends Enum<E>> E choice(String key, String fallback, Class<E> type) throws ConfigException {
        return value(key, fallback, s -> {
            for (E e : type.getEnumConstants()) {
                if (e.name().equals(s)) return e;
            }
            List<String> names = java.util.Arrays.stream(type.getEnumConstants()).map(Enum::name).toList();
            throw new IllegalArgumentException(String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.getLast());
        });
    }

    /** A host's address where one is written; {@code fallback} (0.0.0.0: none) where not. */
    private int address(String key, String fallback) throws ConfigException {
        return value(key, fallback, values.containsKey(key) ? ConfigFile::unicastIpv4 : ConfigFile::ipv4);
    }

    /** No client reaches the loopback, or its subnet's own or broadcast address, on the stack's link. */
    private void checkServiceAddress(int service, int prefix) throws ConfigException {
        String what = null;
        int hostBits = prefix >= 31 ? 0 : (int) ((1L << (32 - prefix)) - 1);
        if (service >>> 24 == 127) what = "a loopback address";
        else if (hostBits != 0 && (service & hostBits) == 0) what = "the subnet's own address (service.prefix = " + prefix + ")";
        else if (hostBits != 0 && (service & hostBits) == hostBits) what = "the subnet's broadcast address (service.prefix = " + prefix + ")";
        if (what != null) {
            throw error(lines.get("service.address"), "service.address = " + values.get("service.address") + ": " + what
                    + ", which no client reaches on the link: the address clients use");
        }
    }

    private int integer(String key, String fallback, int min, int max) throws ConfigException {
        return value(key, fallback, s -> {
            int n = Integer.parseInt(s);
            if (n < min || n > max) throw new IllegalArgumentException("must be " + min + ".." + max);
            return n;
        });
    }

    private boolean bool(String key, String fallback) throws ConfigException {
        return value(key, fallback, s -> switch (s) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("must be true or false");
        });
    }

    private Duration duration(String key, String fallback) throws ConfigException {
        return value(key, fallback, s -> {
            Matcher m = DURATION.matcher(s);
            if (!m.matches()) throw new IllegalArgumentException("a duration with a unit, like 150ms or 2s");
            String digits = m.group(1).replaceFirst("^0+(?=\\d)", "");
            long n = digits.length() > 12 ? Long.MAX_VALUE : Long.parseLong(digits);
            long longest = m.group(2).equals("ms") ? LONGEST_DURATION.toMillis() : LONGEST_DURATION.toSeconds();
            if (n > longest) throw new IllegalArgumentException("at most 1 day (" + LONGEST_DURATION.toSeconds() + "s)");
            return m.group(2).equals("ms") ? Duration.ofMillis(n) : Duration.ofSeconds(n);
        });
    }

    /** A size with a binary unit: {@code 64MiB}, {@code 2GiB}. */
    static long size(String s) {
        Matcher m = SIZE.matcher(s);
        if (!m.matches()) throw new IllegalArgumentException("a size with a unit, like 64MiB or 1GiB");
        long n = Long.parseLong(m.group(1));
        return n << (m.group(2).equals("MiB") ? 20 : 30);
    }

    /**
     * The stack refuses a group address only when it starts (or, on a backup, at its takeover), and
     * a Linux bridge drops every frame from a group or the zero address: said here, before either.
     */
    static MacAddress unicastMac(String s) {
        MacAddress mac = MacAddress.parse(s);
        if (mac.isMulticast() || mac.equals(MacAddress.ZERO)) {
            throw new IllegalArgumentException("a unicast address (first byte even, not all zeros), like 00:00:5e:00:01:01");
        }
        return mac;
    }

    /** An address a host can own: not in 0.0.0.0/8 ("this network": also this file's "none"), a group's (224/4) or reserved (240/4, with the broadcast 255.255.255.255). */
    static int unicastIpv4(String s) {
        int a = ipv4(s);
        if (a >>> 24 == 0 || a >>> 28 >= 0xe) {
            throw new IllegalArgumentException("a host's unicast address (not 0.x.x.x, nor 224.0.0.0 and above), like 198.18.0.100");
        }
        return a;
    }

    static int ipv4(String s) {
        if (!s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) throw new IllegalArgumentException("a dotted IPv4 address, like 198.18.0.100");
        try {
            byte[] b = InetAddress.getByName(s).getAddress();
            return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
        } catch (IOException e) {
            throw new IllegalArgumentException("a dotted IPv4 address, like 198.18.0.100");
        }
    }

    private static List<Integer> ports(String s) {
        List<Integer> out = new ArrayList<>();
        for (String p : s.split(",")) {
            int n;
            try {
                n = Integer.parseInt(p.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("comma-separated port numbers, like 80, 8080");
            }
            if (n < 1 || n > 65535) throw new IllegalArgumentException("port " + n + " is not 1..65535");
            if (!out.contains(n)) out.add(n);
        }
        return out;
    }

    private ConfigException error(int line, String what) {
        return new ConfigException(source + (line > 0 ? ":" + line : "") + ": " + what);
    }

    /** {@code 'text'}, or its beginning and its length when it is long: an error stays one readable line. */
    private static String quoted(String text) {
        return text.length() <= LONGEST_QUOTE ? "'" + text + "'"
                : "'" + text.substring(0, LONGEST_QUOTE) + "...' (" + text.length() + " characters)";
    }

    /** A value as an error shows it: whole, or its beginning and its length. */
    private static String shown(String value) {
        return value.length() <= LONGEST_QUOTE ? value : value.substring(0, LONGEST_QUOTE) + "... (" + value.length() + " characters)";
    }

    /** The known key closest to a mistyped one, if any is close. */
    private static String suggestion(String key) {
        String best = null;
        int bestDistance = 4;
        for (String k : KEYS) {
            if (Math.abs(key.length() - k.length()) >= bestDistance) continue; // the distance is at least that
            int d = editDistance(key, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best == null ? "; known keys: " + String.join(", ", KEYS) : "; did you mean '" + best + "'?";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
