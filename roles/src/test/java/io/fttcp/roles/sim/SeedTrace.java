package io.fttcp.roles.sim;

import io.fttcp.sim.net.NetworkObserver;
import io.fttcp.sim.net.SimPort;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

/** Investigation aid, run by hand: -Dtest=SeedTrace -Dfttcp.trace.seed=S -Dfttcp.trace.port=P prints that connection's frames. */
class SeedTrace {
    static String describe(ByteBuffer f) {
        int p = f.position();
        if ((f.getShort(p + 12) & 0xFFFF) != 0x0800 || f.get(p + 14 + 9) != 6) return null;
        int ip = p + 14, ihl = (f.get(ip) & 0xF) * 4, tcp = ip + ihl;
        int total = f.getShort(ip + 2) & 0xFFFF, len = total - ihl - ((f.get(tcp + 12) & 0xF0) >>> 2);
        int flags = f.get(tcp + 13) & 0xFF;
        StringBuilder fl = new StringBuilder();
        if ((flags & 2) != 0) fl.append('S');
        if ((flags & 1) != 0) fl.append('F');
        if ((flags & 4) != 0) fl.append('R');
        if ((flags & 16) != 0) fl.append('.');
        return (f.getShort(tcp) & 0xFFFF) + ">" + (f.getShort(tcp + 2) & 0xFFFF) + " " + fl + " seq=" + Integer.toUnsignedString(f.getInt(tcp + 4))
                + " ack=" + Integer.toUnsignedString(f.getInt(tcp + 8)) + " win=" + (f.getShort(tcp + 14) & 0xFFFF) + " len=" + len;
    }

    static boolean concerns(ByteBuffer f, int port) {
        int p = f.position();
        if ((f.getShort(p + 12) & 0xFFFF) != 0x0800 || f.get(p + 14 + 9) != 6) return false;
        int tcp = p + 14 + (f.get(p + 14) & 0xF) * 4;
        return (f.getShort(tcp) & 0xFFFF) == port || (f.getShort(tcp + 2) & 0xFFFF) == port;
    }

    /** -Dfttcp.census=N: runs N seeds of the main test, reporting every failing seed instead of stopping at the first. */
    @Test
    void census() {
        Integer count = Integer.getInteger("fttcp.census");
        if (count == null) return;
        int failed = 0;
        boolean stall = "stall".equals(System.getProperty("fttcp.trace.test"));
        long base = stall ? StabilityStallSimulationTest.BASE_SEED : PrimaryProtectionSimulationTest.BASE_SEED;
        for (long seed : io.fttcp.sim.SimulationSeeds.seeds(base, count)) {
            try {
                if (stall) StabilityStallSimulationTest.run(seed);
                else PrimaryProtectionSimulationTest.run(seed);
            } catch (Throwable t) {
                failed++;
                String m = String.valueOf(t.getMessage());
                System.out.println("FAILED seed " + seed + ": " + m.substring(0, Math.min(300, m.length())));
            }
        }
        System.out.println("census: " + failed + " of " + count + " seeds failed");
    }

    static void dumpWrapper() {
        try {
            Object ssw = PrimaryWorld.latest.primary.ssw();
            var f = ssw.getClass().getDeclaredField("connections");
            f.setAccessible(true);
            Object map = f.get(ssw);
            var forEach = map.getClass().getDeclaredMethod("forEach", java.util.function.Consumer.class);
            forEach.setAccessible(true);
            forEach.invoke(map, (java.util.function.Consumer<Object>) c -> {
                StringBuilder b = new StringBuilder("wrapper connection:");
                for (var cf : c.getClass().getDeclaredFields()) {
                    cf.setAccessible(true);
                    try {
                        Object v = cf.get(c);
                        if (cf.getName().equals("receive")) {
                            for (var rf : v.getClass().getDeclaredFields()) {
                                rf.setAccessible(true);
                                Object rv = rf.get(v);
                                b.append(" receive.").append(rf.getName()).append('=')
                                        .append(rv instanceof int[] a ? java.util.Arrays.toString(java.util.Arrays.copyOf(a, Math.min(a.length, 8)))
                                                : rv instanceof long[] l ? java.util.Arrays.toString(java.util.Arrays.copyOf(l, Math.min(l.length, 8))) : rv);
                            }
                        } else {
                            b.append(' ').append(cf.getName()).append('=').append(v);
                        }
                    } catch (IllegalAccessException e) {
                        throw new RuntimeException(e);
                    }
                }
                System.out.println(b);
            });
        } catch (ReflectiveOperationException e) {
            e.printStackTrace();
        }
    }

    @Test
    void trace() {
        String seedText = System.getProperty("fttcp.trace.seed");
        if (seedText == null) return;
        long seed = Long.parseLong(seedText);
        int port = Integer.getInteger("fttcp.trace.port", 0);
        PrimaryProtectionSimulationTest.observer = new NetworkObserver() {
            @Override
            public void delivered(SimPort from, SimPort to, ByteBuffer frame, long now) {
                if (concerns(frame, port)) System.out.printf("%10.3f ms %s->%s %s%n", now / 1e6, from.name(), to.name(), describe(frame));
            }

            @Override
            public void dropped(SimPort at, io.fttcp.sim.net.DropCause cause, long now) {
                System.out.printf("%10.3f ms dropped at %s: %s%n", now / 1e6, at.name(), cause);
            }
        };
        SimPrimaryHost.stackTap = (packet, now) -> {
            ByteBuffer frame = ByteBuffer.allocate(14 + packet.remaining());
            frame.putShort(12, (short) 0x0800).put(14, packet, packet.position(), packet.remaining());
            if (concerns(frame, port)) {
                String states = "";
                for (var app : PrimaryWorld.latest.acceptor.apps()) states += app.connection().tuple().remotePort() + ":" + app.connection().state() + " ";
                var c = PrimaryWorld.latest.primary.ip().find(new io.fttcp.stack.tcp.FourTuple(PrimaryWorld.SERVICE_ADDRESS, PrimaryWorld.PORT, io.fttcp.link.ethernet.Ipv4Text.parse("10.0.0.2"), port));
                System.out.printf("%10.3f ms stack emits %s [%s]%n", now / 1e6, describe(frame), c == null || c.tcp() == null ? "none" : c.tcp() + " paws=" + c.tcp().stats().pawsRejected + " dup=" + c.tcp().stats().duplicateSegments + " inv=" + c.tcp().stats().invalidSegments);
            }
        };
        try {
            if ("stall".equals(System.getProperty("fttcp.trace.test"))) StabilityStallSimulationTest.run(seed);
            else PrimaryProtectionSimulationTest.run(seed);
        } catch (Throwable t) {
            dumpWrapper();
            throw t;
        } finally {
            SimPrimaryHost.stackTap = null;
        }
    }
}
