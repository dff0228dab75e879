package io.fttcp.link.tap;

import io.fttcp.link.FrameLink;
import io.fttcp.link.FrameOffload;
import io.fttcp.link.FrameReceiver;

import io.fttcp.link.ethernet.EthernetConfig;
import io.fttcp.link.ethernet.EthernetInterface;
import io.fttcp.link.ethernet.Ipv4Text;
import io.fttcp.link.ethernet.MacAddress;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Run inside a server host namespace by the link end-to-end test: opens a TAP device, owns an
 * address with its own MAC (answers ARP), announces it, and answers pings. Prints READY when
 * up and STATS when stdin closes (or after the time limit). With offloads, the stdin command
 * {@code gso <dst> <port> <payload> <mss>} sends one large TCP frame for the kernel to segment;
 * {@code late <dst> <port> <payload> <mss>} sends the same with an emission deadline already past.
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
            // "late": frames reach the TAP with a deadline already past (as a queued frame's lease runs out).
            boolean[] late = {false};
            FrameLink link = new FrameLink() {
                @Override public void send(ByteBuffer frame) { send(frame, null, Long.MAX_VALUE); }
                @Override public void send(ByteBuffer frame, FrameOffload offload) { send(frame, offload, Long.MAX_VALUE); }
                @Override public void send(ByteBuffer frame, FrameOffload offload, long deadline) {
                    tap.send(frame, offload, late[0] ? System.nanoTime() - 1 : deadline);
                }
                @Override public int mtu() { return tap.mtu(); }
                @Override public boolean offloadsEnabled() { return tap.offloadsEnabled(); }
                @Override public FrameOffload receivedOffload() { return tap.receivedOffload(); }
                @Override public void setReceiver(FrameReceiver receiver) { tap.setReceiver(receiver); }
            };
            EthernetInterface iface = new EthernetInterface(link, EthernetConfig.defaults(MacAddress.parse(args[1]), Integer.parseInt(args[3])));
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
            // Commands on stdin: "gso <dst> <port> <payload> <mss>" sends one large TCP frame; EOF stops.
            Thread stdinWatcher = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        String[] w = line.trim().split("\\s+");
                        if (w.length == 5 && (w[0].equals("gso") || w[0].equals("late"))) {
                            synchronized (lock) {
                                late[0] = w[0].equals("late");
                                responder.sendLargeTcp(address, Ipv4Text.parse(w[1]), Integer.parseInt(w[2]),
                                        Integer.parseInt(w[3]), Integer.parseInt(w[4]), System.nanoTime());
                                late[0] = false;
                            }
                        }
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
                        + " udpTrusted=" + responder.udpChecksumTrusted + " tcpResets=" + responder.tcpResets + " " + iface.stats() + " " + tap.stats()
                        + (tap.readFailure() == null ? "" : " failure=" + tap.readFailure()));
            }
            System.out.flush();
        }
    }
}
