package io.fttcp.link.tap;

import io.fttcp.link.ethernet.EthernetConfig;
import io.fttcp.link.ethernet.EthernetInterface;
import io.fttcp.link.ethernet.Ipv4Text;
import io.fttcp.link.ethernet.MacAddress;

import java.io.IOException;

/**
 * Run inside a server host namespace by the link end-to-end test: opens a TAP device, owns an
 * address with its own MAC (answers ARP), announces it, and answers pings. Prints READY when
 * up and STATS when stdin closes (or after the time limit).
 *
 * <p>Usage: TapProbe tap-name mac address prefix-length offloads(true|false) max-seconds
 */
public final class TapProbe {
    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: TapProbe tap-name mac address prefix-length offloads max-seconds");
            System.exit(2);
        }
        boolean offloads = Boolean.parseBoolean(args[4]);
        long deadline = System.nanoTime() + Long.parseLong(args[5]) * 1_000_000_000L;
        Object lock = new Object();
        try (TapDevice tap = TapDevice.open(args[0], offloads)) {
            EthernetInterface iface = new EthernetInterface(tap, EthernetConfig.defaults(MacAddress.parse(args[1]), Integer.parseInt(args[3])));
            int address = Ipv4Text.parse(args[2]);
            iface.addAddress(address);
            IcmpEchoResponder responder = new IcmpEchoResponder(iface, offloads);
            iface.setUpward(responder);
            // The reader thread delivers frames; the interface is single-threaded, so serialize.
            tap.setReceiver((frame, now) -> {
                synchronized (lock) {
                    iface.receive(frame, now);
                }
            });
            synchronized (lock) {
                iface.sendGratuitousArp(address, 3, 100_000_000L, System.nanoTime());
            }
            Thread stdinWatcher = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // wait for EOF
                    }
                } catch (IOException ignored) {
                    // treat as EOF
                }
            });
            System.out.println("READY " + tap + " mtu=" + tap.mtu());
            System.out.flush();
            while (stdinWatcher.isAlive() && System.nanoTime() < deadline && tap.readFailure() == null) {
                synchronized (lock) {
                    iface.onTimer(System.nanoTime());
                }
                Thread.sleep(20);
            }
            synchronized (lock) {
                System.out.println("STATS echoes=" + responder.echoesAnswered + " udp=" + responder.udpReceived
                        + " udpTrusted=" + responder.udpChecksumTrusted + " " + iface.stats() + " " + tap.stats()
                        + (tap.readFailure() == null ? "" : " failure=" + tap.readFailure()));
            }
            System.out.flush();
        }
    }
}
