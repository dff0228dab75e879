package io.fttcp.roles.backup;

import io.fttcp.replication.codec.FrameDecoder;
import io.fttcp.replication.codec.FrameEncoder;
import io.fttcp.replication.codec.FrameHandler;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.ReplicationProtocolException;
import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpSegment;
import io.fttcp.wrappers.nsw.ReplayNetwork;

import java.nio.ByteBuffer;

/**
 * Runs a fetch's receive path on synthetic frames: decoding (with its CRC32C), the replaying
 * wrapper taking a connection's records (CONNECT, ACCEPT, and an echo's SEGMENT, READ and WRITE
 * for every client segment) and the retention keeping them, all private to the rehearsal. A
 * standby's first fetch ran that code for the first time: applying 1 MiB of records took 50 to
 * 70 ms, and a single batch of 8 records 7 ms, against 1.6 ms per batch later in a 16 MiB fetch:
 * all of it the clients' stall. Touches nothing outside itself.
 */
final class FetchRehearsal {
    /** A private address pair: these records name no real connection. */
    private static final int LOCAL = 0x0AFFFF03, REMOTE = 0x0AFFFF04;
    private static final int PAYLOAD = 1448;
    private static final int SEGMENTS_PER_ROUND = 700;

    private FetchRehearsal() {}

    /** Decodes, applies and retains {@code rounds} connections' records (about 1 MiB of client bytes each); returns how many. */
    static long run(int rounds) {
        FrameEncoder encoder = new FrameEncoder();
        ByteBuffer frames = ByteBuffer.allocate(SEGMENTS_PER_ROUND * (PAYLOAD + 256) + 4096);
        long applied = 0;
        for (int round = 0; round < rounds; round++) {
            FourTuple listener = new FourTuple(LOCAL, 80, 0, 0);
            FourTuple t = new FourTuple(LOCAL, 80, REMOTE, 20_000 + round % 40_000);
            int clientIsn = 1_000 * round, serverIsn = 9_000 * round;
            frames.clear();
            long lsn = 1;
            encoder.encode(lsn++, new Connect(t, clientIsn, serverIsn, 1460, 1460, 7, 7, true, true, 1000, 555, 65535), frames);
            encoder.encode(lsn++, new Accept(listener, t), frames);
            for (int i = 0; i < SEGMENTS_PER_ROUND; i++) {
                byte[] payload = new byte[PAYLOAD];
                payload[i % PAYLOAD] = (byte) i;
                encoder.encode(lsn++, new Segment(t, clientIsn + 1 + i * PAYLOAD, serverIsn + 1 + i * PAYLOAD,
                        TcpSegment.ACK | TcpSegment.PSH, 1024, 0, 0, payload), frames);
                encoder.encode(lsn++, new Read(t, PAYLOAD), frames);
                encoder.encode(lsn++, new Write(t, (long) i * PAYLOAD, PAYLOAD, i), frames);
            }
            frames.flip();
            Applier applier = new Applier(new ReplayNetwork((tuple, why) -> { }), new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED));
            try {
                new FrameDecoder().decodeAll(frames, applier);
            } catch (ReplicationProtocolException e) {
                throw new IllegalStateException("the rehearsal's own frames did not decode", e);
            }
            applied += applier.applied;
        }
        return applied;
    }

    private static final class Applier implements FrameHandler {
        private final ReplayNetwork replay;
        private final LiveRecordSet retained;
        long applied;

        Applier(ReplayNetwork replay, LiveRecordSet retained) {
            this.replay = replay;
            this.retained = retained;
        }

        @Override
        public void onRecord(long lsn, Record record) {
            replay.apply(record);
            synchronized (retained) {
                retained.add(lsn, record);
            }
            applied++;
        }

        @Override
        public void onHandshake(Handshake handshake) {
        }

        @Override
        public void onReject(String reason) {
        }

        @Override
        public void onAck(long lsn, long echoNanos) {
        }

        @Override
        public void onHeartbeat(long lsn, long sentAtNanos, long echoNanos) {
        }
    }
}
