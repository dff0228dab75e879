package io.fttcp.roles.backup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A fake {@code /sys/class/net}: the TAP on a bridge with uplinks whose carrier the test sets. */
class UplinkCarrierTest {
    @TempDir
    Path net;

    private void device(String name) throws IOException {
        Files.createDirectories(net.resolve(name));
    }

    private void bridge(String bridge, String... ports) throws IOException {
        Files.createDirectories(net.resolve(bridge).resolve("brif"));
        for (String p : ports) {
            device(p);
            Files.createSymbolicLink(net.resolve(bridge).resolve("brif").resolve(p), net.resolve(p));
            Files.createSymbolicLink(net.resolve(p).resolve("master"), net.resolve(bridge));
        }
    }

    private void carrier(String port, String value) throws IOException {
        Files.writeString(net.resolve(port).resolve("carrier"), value + "\n");
    }

    @Test
    void theUplinksWithCarrierWhileReplicatingAreWatched() throws IOException {
        bridge("br0", "tap0", "eth0", "eth1", "spare");
        carrier("eth0", "1");
        carrier("eth1", "1");
        carrier("spare", "0"); // never plugged in
        UplinkCarrier uplinks = new UplinkCarrier(net);
        Set<String> watched = uplinks.withCarrier("tap0");
        assertEquals(Set.of("eth0", "eth1"), watched);
        assertEquals(UplinkCarrier.State.UP, uplinks.of("tap0", watched));
        carrier("eth0", "0");
        assertEquals(UplinkCarrier.State.UP, uplinks.of("tap0", watched), "one uplink of two is enough");
        Files.delete(net.resolve("eth1").resolve("carrier")); // administratively down: reading carrier fails
        assertEquals(UplinkCarrier.State.DOWN, uplinks.of("tap0", watched), "every watched uplink lost carrier (the spare never counted)");
        carrier("eth1", "1");
        assertEquals(UplinkCarrier.State.UP, uplinks.of("tap0", watched));
    }

    @Test
    void withoutUplinksToWatchThereIsNoVerdict() throws IOException {
        device("tap0");
        UplinkCarrier uplinks = new UplinkCarrier(net);
        assertEquals(Set.of(), uplinks.withCarrier("tap0"), "not on a bridge");
        assertEquals(UplinkCarrier.State.UNKNOWN, uplinks.of("tap0", Set.of("eth0")), "not on a bridge");
        assertEquals(UplinkCarrier.State.UNKNOWN, uplinks.of("tap9", Set.of("eth0")), "no such device");
        bridge("br1", "tap1", "spare");
        carrier("spare", "0");
        assertEquals(UplinkCarrier.State.UNKNOWN, uplinks.of("tap1", uplinks.withCarrier("tap1")), "no uplink had carrier: nothing watched");
    }
}
