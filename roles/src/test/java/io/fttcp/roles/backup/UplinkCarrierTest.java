package io.fttcp.roles.backup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
    void anUplinkWithCarrierMeansConnected() throws IOException {
        bridge("br0", "tap0", "eth0");
        carrier("eth0", "1");
        assertEquals(UplinkCarrier.State.UP, new UplinkCarrier(net).of("tap0"));
    }

    @Test
    void noUplinkWithCarrierMeansCutOff() throws IOException {
        bridge("br0", "tap0", "eth0", "eth1");
        carrier("eth0", "0");
        // eth1 is administratively down: reading its carrier fails (here: no file)
        assertEquals(UplinkCarrier.State.DOWN, new UplinkCarrier(net).of("tap0"));
        carrier("eth1", "1");
        assertEquals(UplinkCarrier.State.UP, new UplinkCarrier(net).of("tap0"), "one uplink of two is enough");
    }

    @Test
    void withoutABridgeOrOtherPortsThereIsNoVerdict() throws IOException {
        device("tap0");
        assertEquals(UplinkCarrier.State.UNKNOWN, new UplinkCarrier(net).of("tap0"), "not on a bridge");
        assertEquals(UplinkCarrier.State.UNKNOWN, new UplinkCarrier(net).of("tap9"), "no such device");
        bridge("br1", "tap1");
        assertEquals(UplinkCarrier.State.UNKNOWN, new UplinkCarrier(net).of("tap1"), "alone on its bridge");
    }
}
