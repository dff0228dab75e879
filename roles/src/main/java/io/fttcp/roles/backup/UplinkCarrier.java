package io.fttcp.roles.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Whether this host is on the network at all: the stack's TAP device sits on a bridge with the
 * host's uplinks (DESIGN.md's wiring), and an uplink has carrier unless its cable is pulled or
 * its switch port is down. A backup that hears nothing from the primary while every uplink lacks
 * carrier is the one cut off: the primary may well be serving. Taking over then did harm: the
 * primary, hearing no claim, served on unprotected; when the backup's link returned, its
 * announcement made the primary step down in favour of the backup's stale copy, whose clients had
 * given the primary bytes the backup never saw. Read from sysfs ({@code /sys/class/net}, a root
 * given for tests; it must show this process's network namespace, as {@code ip netns exec}
 * arranges, and {@code nsenter -n} alone does not). A separation that keeps carrier (a failed switch between working ports, a
 * VLAN mistake) looks like the primary's silence, as before: a witness would tell them apart.
 */
final class UplinkCarrier {
    enum State {
        /** One of the watched uplinks has carrier. */
        UP,
        /** None of the watched uplinks has carrier. */
        DOWN,
        /** Nothing to watch, not on a bridge, or sysfs unreadable: no verdict. */
        UNKNOWN
    }

    private final Path sysClassNet;

    UplinkCarrier(Path sysClassNet) {
        this.sysClassNet = sysClassNet;
    }

    static UplinkCarrier system() {
        return new UplinkCarrier(Path.of("/sys/class/net"));
    }

    /**
     * The uplinks that have carrier now: the ports of the TAP's bridge other than the TAP. Taken
     * while replicating, they are the ports that matter (a spare port never plugged in must not
     * make every later silence look like our isolation). Empty if there is no verdict to give.
     */
    Set<String> withCarrier(String tapDevice) {
        Set<String> up = new TreeSet<>();
        for (String port : uplinks(tapDevice)) {
            if (hasCarrier(port)) {
                up.add(port);
            }
        }
        return up;
    }

    /**
     * Whether {@code watched} (from {@link #withCarrier} while replicating) still reach anyone:
     * UP if one of them has carrier, DOWN if none has, UNKNOWN if there was nothing to watch or
     * the TAP is no longer where it was (a bridge taken down and made again: not yet a verdict).
     */
    State of(String tapDevice, Set<String> watched) {
        if (watched.isEmpty()) {
            return State.UNKNOWN;
        }
        List<String> ports = uplinks(tapDevice);
        if (ports.isEmpty()) {
            return State.UNKNOWN;
        }
        for (String port : watched) {
            if (ports.contains(port) && hasCarrier(port)) {
                return State.UP;
            }
        }
        return State.DOWN;
    }

    /** The other ports of the TAP's bridge; empty if it is on none. */
    private List<String> uplinks(String tapDevice) {
        try {
            Path tap = sysClassNet.resolve(tapDevice);
            Path master = tap.resolve("master");
            if (!Files.isSymbolicLink(master)) {
                return List.of();
            }
            String bridge = Files.readSymbolicLink(master).getFileName().toString();
            try (Stream<Path> brif = Files.list(sysClassNet.resolve(bridge).resolve("brif"))) {
                return brif.map(p -> p.getFileName().toString()).filter(p -> !p.equals(tapDevice)).sorted().toList();
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** Reading {@code carrier} of a device that is administratively down fails (EINVAL): no carrier. */
    private boolean hasCarrier(String port) {
        try {
            return Files.readString(sysClassNet.resolve(port).resolve("carrier")).trim().equals("1");
        } catch (IOException e) {
            return false;
        }
    }
}
