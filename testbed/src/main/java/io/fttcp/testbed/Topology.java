package io.fttcp.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The test network of DESIGN.md section 6, built with {@code ip}: a switch namespace holding a
 * Linux bridge (no uplink, no route out) and one namespace per host, each joined to the bridge by
 * a veth pair. Addresses come from 198.18.0.0/24 only:
 * <ul>
 *   <li>server hosts (in build order): 198.18.0.1, .2, ... on their br0 (kernel traffic);</li>
 *   <li>client hosts: 198.18.0.10, .11, ... on their eth0;</li>
 *   <li>{@link #SERVICE_ADDRESS} 198.18.0.100 is left for the user-space stack on a server's tap0.</li>
 * </ul>
 * Namespaces are named {@code ft<pid>-<n>-<host>} (switch: {@code ft<pid>-<n>-sw}), unique per
 * run. {@link #close()} tears everything down, and a shutdown hook does so if the JVM exits
 * first; {@link #cleanupStale()} removes what dead runs left behind.
 */
public final class Topology implements AutoCloseable {
    public static final String NETWORK = "198.18.0.0";
    public static final int PREFIX_LENGTH = 24;
    public static final String SERVICE_ADDRESS = "198.18.0.100";
    /** The VRRP-style virtual MAC for the service address (VRID 1). */
    public static final String SERVICE_MAC = "00:00:5e:00:01:01";
    public static final String SWITCH_BRIDGE = "br0";
    public static final String SERVER_BRIDGE = "br0";
    public static final String UPLINK = "eth0";
    public static final String TAP_DEVICE = "tap0";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private static final int MAX_SERVERS = 9;
    private static final int MAX_CLIENTS = 89;
    private static final Pattern HOST_NAME = Pattern.compile("[a-z][a-z0-9]{0,19}");
    private static final Pattern OUR_NAMESPACE = Pattern.compile("ft(\\d+)-\\d+-[a-z0-9]+");
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final String prefix;
    private final String switchNamespace;
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private final List<String> createdNamespaces = new ArrayList<>();
    private final List<Process> started = new CopyOnWriteArrayList<>();
    private final Thread shutdownHook;
    private boolean closed;

    private Topology(String prefix) {
        this.prefix = prefix;
        this.switchNamespace = prefix + "sw";
        this.shutdownHook = new Thread(this::closeQuietly, "topology-teardown-" + prefix);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Host kinds and names, in order; {@link #build()} creates the network. */
    public static final class Builder {
        private final List<Map.Entry<String, HostKind>> specs = new ArrayList<>();

        public Builder client(String name) {
            return add(name, HostKind.CLIENT);
        }

        public Builder server(String name) {
            return add(name, HostKind.SERVER);
        }

        private Builder add(String name, HostKind kind) {
            if (!HOST_NAME.matcher(name).matches() || name.equals("sw")) {
                throw new IllegalArgumentException("host name must be 1-20 lowercase letters/digits starting with a letter, not 'sw': " + name);
            }
            if (specs.stream().anyMatch(e -> e.getKey().equals(name))) {
                throw new IllegalArgumentException("duplicate host name " + name);
            }
            specs.add(Map.entry(name, kind));
            return this;
        }

        /** Builds the network; on failure removes what was created and throws {@link TopologyException}. */
        public Topology build() {
            if (specs.isEmpty()) {
                throw new IllegalArgumentException("a topology needs at least one host");
            }
            long servers = specs.stream().filter(e -> e.getValue() == HostKind.SERVER).count();
            if (servers > MAX_SERVERS || specs.size() - servers > MAX_CLIENTS) {
                throw new IllegalArgumentException("at most " + MAX_SERVERS + " servers and " + MAX_CLIENTS + " clients");
            }
            requirePrivileges();
            Topology t = new Topology("ft" + ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet() + "-");
            Runtime.getRuntime().addShutdownHook(t.shutdownHook);
            try {
                t.create(specs);
            } catch (RuntimeException e) {
                try {
                    t.close();
                } catch (RuntimeException teardown) {
                    e.addSuppressed(teardown);
                }
                throw e;
            }
            return t;
        }
    }

    /** Why topologies cannot be built here (not root, no {@code ip}), or empty if they can. */
    public static Optional<String> unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return Optional.of("network namespaces need Linux");
        }
        if (effectiveUid() != 0) {
            return Optional.of("network namespaces need root (effective uid is " + effectiveUid() + ")");
        }
        try {
            if (!CommandRunner.run(List.of("ip", "-V"), Duration.ofSeconds(10)).succeeded()) {
                return Optional.of("the ip command (iproute2) does not work");
            }
        } catch (TopologyException e) {
            return Optional.of("the ip command (iproute2) is missing: " + e.getMessage());
        }
        return Optional.empty();
    }

    private static void requirePrivileges() {
        unavailableReason().ifPresent(reason -> {
            throw new TopologyException("cannot build the test network: " + reason);
        });
    }

    private static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private void create(List<Map.Entry<String, HostKind>> specs) {
        addNamespace(switchNamespace);
        ip(switchNamespace, "link", "add", SWITCH_BRIDGE, "type", "bridge");
        ip(switchNamespace, "link", "set", SWITCH_BRIDGE, "up");
        int servers = 0;
        int clients = 0;
        int port = 0;
        for (Map.Entry<String, HostKind> spec : specs) {
            String name = spec.getKey();
            HostKind kind = spec.getValue();
            String ns = prefix + name;
            String switchPort = "p" + (++port);
            Host host = kind == HostKind.SERVER
                    ? new Host(name, kind, ns, UPLINK, switchPort, "198.18.0." + (1 + servers), SERVER_BRIDGE, TAP_DEVICE,
                            String.format("02:f7:00:00:00:%02x", 1 + servers++))
                    : new Host(name, kind, ns, UPLINK, switchPort, "198.18.0." + (10 + clients++), UPLINK, null, null);
            addNamespace(ns);
            ip(switchNamespace, "link", "add", switchPort, "type", "veth", "peer", "name", UPLINK, "netns", ns);
            ip(switchNamespace, "link", "set", switchPort, "master", SWITCH_BRIDGE);
            ip(switchNamespace, "link", "set", switchPort, "up");
            if (kind == HostKind.SERVER) {
                ip(ns, "link", "add", SERVER_BRIDGE, "type", "bridge");
                ip(ns, "link", "set", UPLINK, "master", SERVER_BRIDGE);
                ip(ns, "tuntap", "add", "dev", TAP_DEVICE, "mode", "tap", "vnet_hdr");
                ip(ns, "link", "set", TAP_DEVICE, "master", SERVER_BRIDGE);
                ip(ns, "link", "set", TAP_DEVICE, "up");
                ip(ns, "link", "set", UPLINK, "up");
                ip(ns, "link", "set", SERVER_BRIDGE, "up");
            } else {
                ip(ns, "link", "set", UPLINK, "up");
            }
            ip(ns, "addr", "add", host.kernelAddress() + "/" + PREFIX_LENGTH, "dev", host.kernelInterface());
            hosts.put(name, host);
        }
    }

    private void addNamespace(String ns) {
        run(List.of("ip", "netns", "add", ns));
        createdNamespaces.add(ns);
        ip(ns, "link", "set", "lo", "up");
        // Keep the segment quiet and IPv4-only: no IPv6 router solicitations, DAD or MLD.
        exec(ns, DEFAULT_TIMEOUT, "sh", "-c",
                "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6");
        // The bridges stand for a switch and the hosts' NICs, which filter nothing. Where br_netfilter
        // is loaded (Docker loads it), every bridged frame would otherwise cross iptables' hooks, and
        // the replication traffic crosses three bridges: a cost of this machine, not of the system.
        exec(ns, DEFAULT_TIMEOUT, "sh", "-c", "for f in /proc/sys/net/bridge/bridge-nf-call-*; do [ -e \"$f\" ] && echo 0 > \"$f\"; done; true");
    }

    private void ip(String ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns));
        Collections.addAll(cmd, args);
        run(cmd);
    }

    private static ExecResult run(List<String> command) {
        return CommandRunner.run(command, DEFAULT_TIMEOUT).requireSuccess();
    }

    // ------------------------------------------------------------------ use

    public Host host(String name) {
        Host h = hosts.get(name);
        if (h == null) {
            throw new IllegalArgumentException("no host named " + name + " in this topology; hosts: " + hosts.keySet());
        }
        return h;
    }

    public List<Host> hosts() {
        return List.copyOf(hosts.values());
    }

    public String switchNamespace() {
        return switchNamespace;
    }

    /** The prefix of every namespace of this run ({@code ft<pid>-<n>-}). */
    public String namespacePrefix() {
        return prefix;
    }

    /** Runs {@code command} inside the host's namespace to completion (60 s limit); never throws for a non-zero exit. */
    public ExecResult exec(Host host, String... command) {
        return exec(host.namespace(), DEFAULT_TIMEOUT, command);
    }

    public ExecResult exec(Host host, Duration timeout, String... command) {
        return exec(host.namespace(), timeout, command);
    }

    private ExecResult exec(String ns, Duration timeout, String... command) {
        requireOpen();
        return CommandRunner.run(netnsExec(ns, command), timeout);
    }

    /**
     * Starts {@code command} inside the host's namespace and returns it running (stdin, stdout
     * and stderr are pipes for the caller). It is killed, with its descendants, at close().
     */
    public Process start(Host host, String... command) {
        return start(host, pb -> { }, command);
    }

    /** As {@link #start(Host, String...)}, letting the caller adjust the ProcessBuilder (redirects, environment). */
    public Process start(Host host, java.util.function.Consumer<ProcessBuilder> configure, String... command) {
        requireOpen();
        ProcessBuilder pb = new ProcessBuilder(netnsExec(host.namespace(), command));
        configure.accept(pb);
        try {
            Process p = pb.start();
            started.add(p);
            return p;
        } catch (IOException e) {
            throw new TopologyException("cannot start " + String.join(" ", command) + " in " + host.name() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The memory options the {@code fttcp} launcher gives its JVMs by default (see there). A
     * SIGKILLed server's sockets close only once the kernel has freed its memory, and that
     * decides how soon its backup learns of the death; and a replica stopped for longer than the
     * detection timeout looks dead. So the heap is fixed (no growth, whose first touches of
     * fresh memory put 100 to 3,000 ms of page faults into collections on this VM), touched
     * once at start, and in transparent huge pages, which the kernel frees about ten times faster
     * than 4 KiB pages (measured here: a pre-touched 1 GiB heap gone in 10 to 12 ms; a
     * growable one of 1.1 to 1.7 GiB in 13 ms, 103 to 138 with small pages).
     */
    public static final List<String> MEMORY_OPTIONS = List.of("-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "-XX:+UseTransparentHugePages");

    /**
     * The command line that runs {@code mainClass} in a new JVM like this one (same java binary,
     * same class path, native access enabled, the launcher's {@link #MEMORY_OPTIONS}), for
     * {@link #start} or {@link #exec}.
     */
    public static String[] javaCommand(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(MEMORY_OPTIONS);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        Collections.addAll(cmd, args);
        return cmd.toArray(String[]::new);
    }

    private static List<String> netnsExec(String ns, String... command) {
        if (command.length == 0) {
            throw new IllegalArgumentException("empty command");
        }
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        Collections.addAll(cmd, command);
        return cmd;
    }

    /** Cuts the host off the switch (its switch port goes down; its uplink loses carrier). */
    public void linkDown(Host host) {
        requireOpen();
        ip(switchNamespace, "link", "set", host.switchPort(), "down");
    }

    /** Reconnects a host cut off by {@link #linkDown}. */
    public void linkUp(Host host) {
        requireOpen();
        ip(switchNamespace, "link", "set", host.switchPort(), "up");
    }

    private static final String PARTITION_TABLE = "fttcp_partition";

    /**
     * Cuts the IP traffic between two hosts' own (kernel) addresses, both ways, with an nftables
     * table in {@code host}'s namespace: a connection between them (the replication channel) goes
     * silent while both stay on the switch and every other host reaches both (the service's
     * frames are bridged, not routed, and pass). Needs nft (apt-get install nftables).
     */
    public void partition(Host host, Host from) {
        partitionOneWay(from, host);
        nft(host, "add", "chain", "inet", PARTITION_TABLE, "out", "{ type filter hook output priority 0; policy accept; }");
        nft(host, "add", "rule", "inet", PARTITION_TABLE, "out", "ip", "daddr", from.kernelAddress(), "drop");
    }

    /**
     * As {@link #partition}, one way: {@code to} no longer hears {@code from}'s own address, which
     * still hears it (the nftables table is in {@code to}'s namespace).
     */
    public void partitionOneWay(Host from, Host to) {
        requireOpen();
        nft(to, "add", "table", "inet", PARTITION_TABLE);
        nft(to, "add", "chain", "inet", PARTITION_TABLE, "in", "{ type filter hook input priority 0; policy accept; }");
        nft(to, "add", "rule", "inet", PARTITION_TABLE, "in", "ip", "saddr", from.kernelAddress(), "drop");
    }

    /** Ends every {@link #partition} made in {@code host}'s namespace; a no-op if there is none. */
    public void healPartition(Host host) {
        requireOpen();
        ExecResult r = exec(host, DEFAULT_TIMEOUT, "nft", "delete", "table", "inet", PARTITION_TABLE);
        if (!r.succeeded() && !r.output().contains("No such file")) r.requireSuccess();
    }

    private void nft(Host host, String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "nft";
        System.arraycopy(args, 0, cmd, 1, args.length);
        ExecResult r;
        try {
            r = exec(host, DEFAULT_TIMEOUT, cmd);
        } catch (TopologyException e) {
            throw new TopologyException("cannot run nft (apt-get install nftables): " + e.getMessage(), e);
        }
        r.requireSuccess();
    }

    /**
     * Replaces the host's cable to the switch (its veth pair) with two devices the caller made in
     * this process's namespace, such as the TAP devices of a user-space link impairment between
     * them: {@code hostSide} becomes the host's uplink (same name, same address), {@code
     * switchSide} its switch port (same name, on the switch's bridge). The devices move into the
     * namespaces and are deleted with them. Call it before starting the host's processes (a
     * server's bridge may take a new MAC). {@link #linkDown} then takes the switch side down, but
     * the host's side keeps its carrier as long as its owner holds it.
     */
    public void recable(Host host, String hostSide, String switchSide) {
        requireOpen();
        ip(switchNamespace, "link", "del", host.switchPort()); // and the veth's other end, the host's uplink
        run(List.of("ip", "link", "set", hostSide, "netns", host.namespace()));
        ip(host.namespace(), "link", "set", hostSide, "name", host.uplink());
        if (host.isServer()) {
            ip(host.namespace(), "link", "set", host.uplink(), "master", SERVER_BRIDGE);
        }
        ip(host.namespace(), "link", "set", host.uplink(), "up");
        if (!host.isServer()) {
            ip(host.namespace(), "addr", "add", host.kernelAddress() + "/" + PREFIX_LENGTH, "dev", host.kernelInterface());
        }
        run(List.of("ip", "link", "set", switchSide, "netns", switchNamespace));
        ip(switchNamespace, "link", "set", switchSide, "name", host.switchPort());
        ip(switchNamespace, "link", "set", host.switchPort(), "master", SWITCH_BRIDGE);
        ip(switchNamespace, "link", "set", host.switchPort(), "up");
    }

    /** Turns off checksum/segmentation offloads on both ends of the host's veth pair (needs ethtool). */
    public void disableOffloads(Host host) {
        requireOpen();
        String[] features = {"rx", "off", "tx", "off", "tso", "off", "gso", "off", "gro", "off"};
        ethtool(host.namespace(), host.uplink(), features);
        ethtool(switchNamespace, host.switchPort(), features);
    }

    private void ethtool(String ns, String device, String... features) {
        List<String> cmd = new ArrayList<>(List.of("ethtool", "-K", device));
        Collections.addAll(cmd, features);
        ExecResult r;
        try {
            r = exec(ns, DEFAULT_TIMEOUT, cmd.toArray(String[]::new));
        } catch (TopologyException e) {
            throw new TopologyException("cannot run ethtool (apt-get install ethtool): " + e.getMessage(), e);
        }
        if (!r.succeeded() && r.output().contains("No such file")) {
            throw new TopologyException("ethtool is not installed (apt-get install ethtool)");
        }
        r.requireSuccess();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("topology " + prefix + " is closed");
        }
    }

    // ------------------------------------------------------------------ teardown

    /** Kills started processes and deletes every namespace of this run. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // already shutting down, or the hook was never registered: nothing to remove
        }
        TopologyException failure = null;
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : started) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<String> reversed = new ArrayList<>(createdNamespaces);
        Collections.reverse(reversed);
        for (String ns : reversed) {
            ExecResult r = CommandRunner.run(List.of("ip", "netns", "del", ns), DEFAULT_TIMEOUT);
            if (!r.succeeded()) {
                TopologyException e = new TopologyException("cannot delete namespace " + ns + ": " + r.output().strip());
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("topology teardown: " + e.getMessage());
        }
    }

    /**
     * Deletes namespaces named {@code ft<pid>-<n>-<host>} whose pid is no longer alive (left by
     * a run that was killed). Returns the names deleted.
     */
    public static List<String> cleanupStale() {
        ExecResult list = CommandRunner.run(List.of("ip", "netns", "list"), DEFAULT_TIMEOUT).requireSuccess();
        List<String> deleted = new ArrayList<>();
        for (String line : list.output().split("\n")) {
            String ns = line.strip().split("\\s+")[0];
            Matcher m = OUR_NAMESPACE.matcher(ns);
            if (!m.matches()) {
                continue;
            }
            long pid = Long.parseLong(m.group(1));
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            if (!alive && CommandRunner.run(List.of("ip", "netns", "del", ns), DEFAULT_TIMEOUT).succeeded()) {
                deleted.add(ns);
            }
        }
        return deleted;
    }

    /** The namespaces that currently exist with this run's prefix (empty after close). */
    public List<String> existingNamespaces() {
        ExecResult list = CommandRunner.run(List.of("ip", "netns", "list"), DEFAULT_TIMEOUT).requireSuccess();
        List<String> ours = new ArrayList<>();
        for (String line : list.output().split("\n")) {
            String ns = line.strip().split("\\s+")[0];
            if (ns.startsWith(prefix)) {
                ours.add(ns);
            }
        }
        return ours;
    }

    @Override
    public String toString() {
        return "Topology[" + prefix + "*, switch " + switchNamespace + ", hosts " + hosts.values() + "]";
    }
}
