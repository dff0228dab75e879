package io.fttcp.roles.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Whether this host is on the network at all: the stack's TAP device sits on a bridge with the
 * host's uplinks (DESIGN.md's wiring), and an uplink has carrier unless its cable is pulled or
 * its switch port is down. A backup that hears nothing from the primary while every uplink lacks
 * carrier is the one cut off: the primary may well be serving. Taking over then did harm: the
 * primary, hearing no claim, served on unprotected; when the backup's link returned, its
 * announcement made the primary step down in favour of the backup's stale copy, whose clients had
 * given the primary bytes the backup never saw. Read from sysfs ({@code /sys/class/net}, a root
 * given for tests). A separation that keeps carrier (a failed switch between working ports, a
 * VLAN mistake) looks like the primary's silence, as before: a witness would tell them apart.
 */
final class UplinkCarrier {
    enum State {
        /** Some port of the TAP's bridge other than the TAP has carrier. */
        UP,
        /** The TAP's bridge has other ports, and none has carrier. */
        DOWN,
        /** Not on a bridge, no other port, or sysfs unreadable: no verdict. */
        UNKNOWN
    }

    private final Path sysClassNet;

    UplinkCarrier(Path sysClassNet) {
        this.sysClassNet = sysClassNet;
    }

    static UplinkCarrier system() {
        return new UplinkCarrier(Path.of("/sys/class/net"));
    }

    State of(String tapDevice) {
        try {
            Path master = sysClassNet.resolve(tapDevice).resolve("master");
            if (!Files.isSymbolicLink(master)) {
                return State.UNKNOWN;
            }
            String bridge = Files.readSymbolicLink(master).getFileName().toString();
            List<String> ports;
            try (Stream<Path> brif = Files.list(sysClassNet.resolve(bridge).resolve("brif"))) {
                ports = brif.map(p -> p.getFileName().toString()).filter(p -> !p.equals(tapDevice)).toList();
            }
            if (ports.isEmpty()) {
                return State.UNKNOWN;
            }
            for (String port : ports) {
                if (hasCarrier(port)) {
                    return State.UP;
                }
            }
            return State.DOWN;
        } catch (IOException | RuntimeException e) {
            return State.UNKNOWN;
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
