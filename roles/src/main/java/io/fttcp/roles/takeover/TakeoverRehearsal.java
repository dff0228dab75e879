package io.fttcp.roles.takeover;

import io.fttcp.replication.record.Connect;
import io.fttcp.stack.host.Connection;
import io.fttcp.stack.host.HostConfig;
import io.fttcp.stack.host.IpHost;
import io.fttcp.stack.host.OffloadingPacketSink;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpCheckpoint;
import io.fttcp.wrappers.nsw.ConnectionImage;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Runs the takeover's repair path (materialize, restore, resume) on a private stack whose
 * packets go nowhere, so that the real takeover finds its classes loaded and its code compiled:
 * the first run in a fresh JVM took 20 to 50 ms for one connection, all of it the clients'
 * stall. Touches nothing outside itself.
 */
public final class TakeoverRehearsal {
    /** A private address pair: these connections never leave the rehearsal's host. */
    private static final int LOCAL = 0x0AFFFF01, REMOTE = 0x0AFFFF02;
    private static final int OUTPUT_BYTES = 16 * 1024;

    private TakeoverRehearsal() {}

    /** Materializes, restores and resumes {@code rounds} connections with {@code config}'s settings. */
    public static void run(HostConfig config, int rounds) {
        IpHost host = new IpHost(config, new Nowhere());
        host.addAddress(LOCAL);
        long now = System.nanoTime();
        byte[] output = new byte[OUTPUT_BYTES];
        for (int i = 0; i < rounds; i++) {
            restoreAndClose(host, config, i, output, now);
        }
        // Last, a send buffer's worth: the connection's chunks go to the stack's pool of spare
        // buffer chunks, where the takeover's restore of megabytes of output finds them instead
        // of allocating (and faulting in) fresh memory: 5 to 35 ms of a measured takeover on a young backup.
        restoreAndClose(host, config, rounds, new byte[config.tcp().sendBuffer()], now);
    }

    private static void restoreAndClose(IpHost host, HostConfig config, int i, byte[] output, long now) {
        FourTuple t = new FourTuple(LOCAL, 80, REMOTE, 10_000 + i % 50_000);
        int clientIsn = 1_000 * i, serverIsn = 7_000 * i;
        Connect c = new Connect(t, clientIsn, serverIsn, 1460, 1460, 7, 7, true, true, 1000, 555, 65535);
        ConnectionImage image = new ConnectionImage(t, c, true, 100, false, false, 100, new byte[0], List.of(),
                1000, 1000, clientIsn + 101, serverIsn + 1001, 5, 6, 7, -1, 1000 + output.length, 1000, output,
                false, false, false, null);
        TcpCheckpoint cp = Materializer.checkpoint(image, config.tcp().withMss(config.mss()), 1_000_000L, now);
        Connection conn = host.restore(cp, null, now);
        conn.resume(Takeover.RESUME_ACKS, now);
        conn.abort(now);
    }

    private static final class Nowhere implements OffloadingPacketSink {
        @Override
        public void accept(ByteBuffer packet, long now) {
        }

        @Override
        public void acceptTcpOffloaded(ByteBuffer packet, int tcpOffset, int headerLength, int segmentSize, long now) {
        }
    }
}
