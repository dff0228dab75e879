package io.fttcp.roles.sim;

import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpSegment;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a backup can rebuild of each protected connection from CONNECT and SEGMENT records alone:
 * the client's byte stream, reassembled by sequence number from {@code clientIsn + 1}, and its
 * FIN. Fed records in LSN order (the backup's receiver, or the primary's stable prefix). Bytes
 * that two segments give differently for the same offset are counted as conflicts: a client
 * never sends that, so a conflict means a record is wrong.
 */
final class BackupImage {
    private final Map<FourTuple, ClientStream> streams = new LinkedHashMap<>();
    private long records;
    private long lastLsn;

    /** Takes the next record; LSNs must come in order, each once. */
    void accept(long lsn, Record record) {
        if (lsn != lastLsn + 1) {
            throw new IllegalStateException("image fed LSN " + lsn + " after " + lastLsn);
        }
        lastLsn = lsn;
        records++;
        switch (record) {
            case Connect c -> streams.put(c.tuple(), new ClientStream(c));
            case Segment s -> {
                ClientStream stream = streams.get(s.tuple());
                if (stream != null) stream.add(s);
            }
            default -> { }
        }
    }

    long lastLsn() {
        return lastLsn;
    }

    long records() {
        return records;
    }

    /** The connection's stream, or null if no CONNECT for it was fed. */
    ClientStream stream(FourTuple tuple) {
        return streams.get(tuple);
    }

    Map<FourTuple, ClientStream> streams() {
        return streams;
    }

    /** One client byte stream: a contiguous prefix plus pieces beyond a gap. */
    static final class ClientStream {
        final Connect connect;
        private byte[] prefix = new byte[1024];
        private int contiguous;
        /** Pieces beyond the contiguous prefix, by stream offset. */
        private final TreeMap<Long, byte[]> beyond = new TreeMap<>();
        /** Stream offset of the client's FIN, or -1. */
        private long finOffset = -1;
        private boolean reset;
        private long conflicts;
        /** Unwraps 32-bit sequence numbers: the offset and sequence number of the highest byte seen. */
        private long refOffset;
        private int refSeq;

        ClientStream(Connect connect) {
            this.connect = connect;
            this.refSeq = connect.clientIsn() + 1;
        }

        void add(Segment s) {
            if ((s.flags() & TcpSegment.RST) != 0) {
                // With ACK the client's connection aborted. Without, its host answered a segment
                // for a connection it no longer has (one of ours reordered behind the ACK that let
                // it finish): no reset of a live connection.
                if ((s.flags() & TcpSegment.ACK) != 0) reset = true;
                return;
            }
            long offset = refOffset + (s.seq() - refSeq);
            byte[] payload = s.payload();
            if (payload.length > 0) {
                long end = offset + payload.length;
                if (end > refOffset) {
                    refOffset = end;
                    refSeq = s.seq() + payload.length;
                }
                int skip = offset < 0 ? (int) Math.min(payload.length, -offset) : 0; // keepalive probes below the ISN
                if (skip < payload.length) place(offset + skip, Arrays.copyOfRange(payload, skip, payload.length));
            }
            if ((s.flags() & TcpSegment.FIN) != 0) {
                long fin = offset + payload.length;
                if (finOffset >= 0 && finOffset != fin) conflicts++;
                finOffset = fin;
            }
        }

        private void place(long offset, byte[] bytes) {
            long end = offset + bytes.length;
            // The part overlapping the prefix must agree with it.
            for (long i = offset; i < Math.min(end, contiguous); i++) {
                if (prefix[(int) i] != bytes[(int) (i - offset)]) conflicts++;
            }
            if (end <= contiguous) return;
            if (offset > contiguous) {
                byte[] old = beyond.get(offset);
                if (old == null || old.length < bytes.length) {
                    if (old != null && !Arrays.equals(old, 0, old.length, bytes, 0, old.length)) conflicts++;
                    beyond.put(offset, bytes);
                } else if (!Arrays.equals(old, 0, bytes.length, bytes, 0, bytes.length)) {
                    conflicts++;
                }
                return;
            }
            append(bytes, (int) (contiguous - offset));
            // Pieces the prefix now reaches.
            while (!beyond.isEmpty() && beyond.firstKey() <= contiguous) {
                var e = beyond.pollFirstEntry();
                long pieceEnd = e.getKey() + e.getValue().length;
                for (long i = e.getKey(); i < Math.min(pieceEnd, contiguous); i++) {
                    if (prefix[(int) i] != e.getValue()[(int) (i - e.getKey())]) conflicts++;
                }
                if (pieceEnd > contiguous) append(e.getValue(), (int) (contiguous - e.getKey()));
            }
        }

        private void append(byte[] bytes, int from) {
            int n = bytes.length - from;
            if (contiguous + n > prefix.length) prefix = Arrays.copyOf(prefix, Math.max(prefix.length * 2, contiguous + n));
            System.arraycopy(bytes, from, prefix, contiguous, n);
            contiguous += n;
        }

        /** Bytes from the start of the stream without a gap. */
        int contiguousLength() {
            return contiguous;
        }

        byte byteAt(int offset) {
            return prefix[offset];
        }

        byte[] contiguousBytes() {
            return Arrays.copyOf(prefix, contiguous);
        }

        /** The client's FIN is known and every byte before it too. */
        boolean finReached() {
            return finOffset >= 0 && finOffset == contiguous;
        }

        /** Stream offset of the FIN, or -1. */
        long finOffset() {
            return finOffset;
        }

        /**
         * The client sequence number up to which the image holds everything (the FIN counts one):
         * the highest ACK the client may be shown.
         */
        int rcvNext() {
            return connect.clientIsn() + 1 + contiguous + (finReached() ? 1 : 0);
        }

        boolean wasReset() {
            return reset;
        }

        long conflicts() {
            return conflicts;
        }

        /** Bytes received beyond a gap, not yet part of the stream. */
        int piecesBeyondGap() {
            return beyond.size();
        }
    }
}
