package io.fttcp.replication.codec;

import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Checkpoint;
import io.fttcp.replication.record.Clock;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Ready;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Seed;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.tcp.FourTuple;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32C;

import static io.fttcp.replication.codec.FrameFormat.*;

/**
 * Writes frames ({@link FrameFormat}) into a caller's big-endian buffer, allocating nothing
 * for records. Not thread-safe (one CRC state per encoder).
 *
 * <p>Bodies (a tuple is local address u32, local port u16, remote address u32, remote port u16):
 * <ul>
 * <li>CONNECT: tuple, clientIsn, serverIsn, clientMss, serverMss, clientWindowShift,
 *     serverWindowShift (i32 each), options u8 (bit 0 SACK, bit 1 timestamps), serverTsVal,
 *     clientTsVal, clientWindow (i32)</li>
 * <li>SEGMENT: tuple, seq, ack, flags, window, tsVal, tsEcr (i32), payload (the rest)</li>
 * <li>ACCEPT: listener tuple, connection tuple. READ: tuple, count i32</li>
 * <li>READY: poller i32, count u32, count x (tuple, readyOps i32)</li>
 * <li>WRITE: tuple, offset i64, count i32, hash i64. CLOCK: context tuple, source u8, value i64.
 * SEED: context tuple, seed i64 (context all zero: none)</li>
 * <li>CLOSE: tuple, how u8. HEARTBEAT: sentAtNanos i64, count u32, count x (tuple, tsVal i32)</li>
 * <li>CHECKPOINT: context tuple, state length u32, state, count u32, count x (tuple, readOffset i64,
 *     outputOffset i64, flags u8 (bit 0 output shut, bit 1 closed), outputStart i64, output length u32,
 *     output); the output ends at outputOffset</li>
 * <li>HANDSHAKE: protocol version u16, role u8, epoch i64, cluster id (u8 length, UTF-8), liveness
 *     port u16, unprotected-after (milliseconds) i32, never negative</li>
 * <li>REJECT: reason (UTF-8). ACK: echoNanos i64. CHANNEL_HEARTBEAT: sentAtNanos i64, echoNanos i64.
 *     CAUGHT_UP, INCOMPLETE: empty. ROSTER: count u32, count x (tuple, client ISN i32, server ISN i32)</li>
 * </ul>
 */
public final class FrameEncoder {
    private final CRC32C crc = new CRC32C();
    private final int maxBodyLength;

    public FrameEncoder() {
        this(DEFAULT_MAX_BODY_LENGTH);
    }

    /** @param maxBodyLength the largest body the peer's decoder accepts; larger records are refused */
    public FrameEncoder(int maxBodyLength) {
        if (maxBodyLength < 64 || maxBodyLength > LARGEST_MAX_BODY_LENGTH) {
            throw new IllegalArgumentException("max body length " + maxBodyLength + " outside 64.." + LARGEST_MAX_BODY_LENGTH);
        }
        this.maxBodyLength = maxBodyLength;
    }

    public int maxBodyLength() {
        return maxBodyLength;
    }

    /** Body length of a record's frame (may exceed the maximum; {@link #encode} then refuses it). */
    public static long bodyLength(Record record) {
        return switch (record) {
            case Connect c -> CONNECT_LENGTH;
            case Segment s -> SEGMENT_FIXED_LENGTH + (long) s.payload().length;
            case Accept a -> ACCEPT_LENGTH;
            case Read r -> READ_LENGTH;
            case Ready r -> READY_FIXED_LENGTH + (long) LIST_ENTRY_LENGTH * r.ready().size();
            case Write w -> WRITE_LENGTH;
            case Clock c -> CLOCK_LENGTH;
            case Seed s -> SEED_LENGTH;
            case Close c -> CLOSE_LENGTH;
            case Heartbeat h -> HEARTBEAT_FIXED_LENGTH + (long) LIST_ENTRY_LENGTH * h.maxTsVals().size();
            case Checkpoint c -> {
                long n = CHECKPOINT_FIXED_LENGTH + (long) c.state().length;
                for (Checkpoint.Entry e : c.connections()) {
                    n += CHECKPOINT_ENTRY_FIXED_LENGTH + (long) e.output().length;
                }
                yield n;
            }
        };
    }

    /** Whole frame length of a record (header, body, CRC). */
    public static long frameLength(Record record) {
        return OVERHEAD + bodyLength(record);
    }

    /** @throws IllegalArgumentException when the record's body is over the maximum, so no peer would accept it */
    public void checkEncodable(Record record) {
        long body = bodyLength(record);
        if (body > maxBodyLength) {
            throw new IllegalArgumentException(record.getClass().getSimpleName() + " body of " + body
                    + " bytes is over the maximum of " + maxBodyLength);
        }
    }

    /**
     * Appends one record frame at {@code out}'s position.
     *
     * @return false, writing nothing, when {@code out} has not room for the whole frame
     * @throws IllegalArgumentException the record cannot be encoded (too large, a port or enum out of range, LSN < 1)
     */
    public boolean encode(long lsn, Record record, ByteBuffer out) {
        if (lsn < 1) {
            throw new IllegalArgumentException("record LSN must be >= 1: " + lsn);
        }
        checkEncodable(record);
        int body = (int) bodyLength(record);
        if (out.remaining() < OVERHEAD + body) {
            return false;
        }
        int start = begin(out, kindOf(record), body, lsn);
        try {
            writeBody(record, out);
        } catch (RuntimeException e) {
            out.position(start); // a bad field (port out of range, null) leaves no half frame behind
            throw e;
        }
        finish(out, start);
        return true;
    }

    private static void writeBody(Record record, ByteBuffer out) {
        switch (record) {
            case Connect c -> {
                tuple(out, c.tuple());
                out.putInt(c.clientIsn()).putInt(c.serverIsn()).putInt(c.clientMss()).putInt(c.serverMss())
                        .putInt(c.clientWindowShift()).putInt(c.serverWindowShift())
                        .put((byte) ((c.sackPermitted() ? 1 : 0) | (c.timestamps() ? 2 : 0)))
                        .putInt(c.serverTsVal()).putInt(c.clientTsVal()).putInt(c.clientWindow());
            }
            case Segment s -> {
                tuple(out, s.tuple());
                out.putInt(s.seq()).putInt(s.ack()).putInt(s.flags()).putInt(s.window()).putInt(s.tsVal())
                        .putInt(s.tsEcr()).put(s.payload());
            }
            case Accept a -> {
                tuple(out, a.listener());
                tuple(out, a.connection());
            }
            case Read r -> {
                tuple(out, r.connection());
                out.putInt(r.count());
            }
            case Ready r -> {
                out.putInt(r.poller()).putInt(r.ready().size());
                for (int i = 0; i < r.ready().size(); i++) {
                    Ready.Entry e = r.ready().get(i);
                    tuple(out, e.socket());
                    out.putInt(e.readyOps());
                }
            }
            case Write w -> {
                tuple(out, w.connection());
                out.putLong(w.offset()).putInt(w.count()).putLong(w.hash());
            }
            case Clock c -> {
                tuple(out, c.context());
                out.put((byte) c.source().ordinal()).putLong(c.value());
            }
            case Seed s -> {
                tuple(out, s.context());
                out.putLong(s.value());
            }
            case Close c -> {
                tuple(out, c.socket());
                out.put((byte) c.how().ordinal());
            }
            case Heartbeat h -> {
                out.putLong(h.sentAtNanos()).putInt(h.maxTsVals().size());
                for (int i = 0; i < h.maxTsVals().size(); i++) {
                    Heartbeat.TsVal t = h.maxTsVals().get(i);
                    tuple(out, t.connection());
                    out.putInt(t.tsVal());
                }
            }
            case Checkpoint c -> {
                tuple(out, c.context());
                out.putInt(c.state().length).put(c.state()).putInt(c.connections().size());
                for (int i = 0; i < c.connections().size(); i++) {
                    Checkpoint.Entry e = c.connections().get(i);
                    tuple(out, e.connection());
                    out.putLong(e.readOffset()).putLong(e.outputOffset()).put((byte) ((e.outputShut() ? 1 : 0) | (e.closed() ? 2 : 0)))
                            .putLong(e.outputStart()).putInt(e.output().length).put(e.output());
                }
            }
        }
    }

    public boolean encodeHandshake(Handshake h, ByteBuffer out) {
        byte[] id = h.clusterId().getBytes(StandardCharsets.UTF_8);
        int body = HANDSHAKE_FIXED_LENGTH + id.length;
        if (out.remaining() < OVERHEAD + body) {
            return false;
        }
        int start = begin(out, FrameKind.HANDSHAKE, body, h.lsn());
        out.putShort((short) h.protocolVersion()).put((byte) h.role().code()).putLong(h.epoch())
                .put((byte) id.length).put(id).putShort((short) h.livenessPort()).putInt(h.unprotectedAfterMillis());
        finish(out, start);
        return true;
    }

    /** @param reason why the handshake was refused; cut to {@value FrameFormat#MAX_REJECT_REASON_BYTES} bytes */
    public boolean encodeReject(String reason, ByteBuffer out) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        int body = Math.min(text.length, MAX_REJECT_REASON_BYTES);
        if (out.remaining() < OVERHEAD + body) {
            return false;
        }
        int start = begin(out, FrameKind.REJECT, body, 0);
        // A cut may split a UTF-8 sequence; the decoder replaces it rather than refusing the reason.
        out.put(text, 0, body);
        finish(out, start);
        return true;
    }

    public boolean encodeAck(long lsn, long echoNanos, ByteBuffer out) {
        if (out.remaining() < OVERHEAD + ACK_LENGTH) {
            return false;
        }
        int start = begin(out, FrameKind.ACK, ACK_LENGTH, checkControlLsn(lsn));
        out.putLong(echoNanos);
        finish(out, start);
        return true;
    }

    public boolean encodeHeartbeat(long lsn, long sentAtNanos, long echoNanos, ByteBuffer out) {
        if (out.remaining() < OVERHEAD + CHANNEL_HEARTBEAT_LENGTH) {
            return false;
        }
        int start = begin(out, FrameKind.CHANNEL_HEARTBEAT, CHANNEL_HEARTBEAT_LENGTH, checkControlLsn(lsn));
        out.putLong(sentAtNanos).putLong(echoNanos);
        finish(out, start);
        return true;
    }

    /** @param lsn the stable LSN the catch-up reached (every later record comes contiguously from lsn + 1) */
    public boolean encodeCaughtUp(long lsn, ByteBuffer out) {
        return encodeEmpty(FrameKind.CAUGHT_UP, lsn, out);
    }

    /** @param lsn the last LSN of the incomplete records (see {@link FrameKind#INCOMPLETE}) */
    public boolean encodeIncomplete(long lsn, ByteBuffer out) {
        return encodeEmpty(FrameKind.INCOMPLETE, lsn, out);
    }

    /** A control frame with no body, its meaning in the LSN field. */
    private boolean encodeEmpty(FrameKind kind, long lsn, ByteBuffer out) {
        if (out.remaining() < OVERHEAD) {
            return false;
        }
        int start = begin(out, kind, 0, checkControlLsn(lsn));
        finish(out, start);
        return true;
    }

    /** Whole length of a ROSTER frame of {@code entries} entries. */
    public static int rosterFrameLength(int entries) {
        return OVERHEAD + ROSTER_FIXED_LENGTH + entries * ROSTER_ENTRY_LENGTH;
    }

    /**
     * Appends one ROSTER frame holding as many of {@code entries} from {@code from} on as fit in
     * {@code out} and in the peer's maximum body.
     *
     * @param lsn the LSN the catch-up reaches (its CAUGHT_UP frame's)
     * @return how many entries it holds; 0, writing nothing, when not even one fits in {@code out}
     */
    public int encodeRoster(long lsn, List<RosterEntry> entries, int from, ByteBuffer out) {
        int room = Math.min(out.remaining() - OVERHEAD, maxBodyLength) - ROSTER_FIXED_LENGTH;
        int n = Math.min(entries.size() - from, Math.max(0, room / ROSTER_ENTRY_LENGTH));
        if (n <= 0) {
            return 0;
        }
        int start = begin(out, FrameKind.ROSTER, ROSTER_FIXED_LENGTH + n * ROSTER_ENTRY_LENGTH, checkControlLsn(lsn));
        try {
            out.putInt(n);
            for (int i = from; i < from + n; i++) {
                RosterEntry e = entries.get(i);
                tuple(out, e.tuple());
                out.putInt(e.clientIsn()).putInt(e.serverIsn());
            }
        } catch (RuntimeException e) {
            out.position(start);
            throw e;
        }
        finish(out, start);
        return n;
    }

    private static long checkControlLsn(long lsn) {
        if (lsn < 0) {
            throw new IllegalArgumentException("negative LSN " + lsn);
        }
        return lsn;
    }

    private static FrameKind kindOf(Record record) {
        return switch (record) {
            case Connect c -> FrameKind.CONNECT;
            case Segment s -> FrameKind.SEGMENT;
            case Accept a -> FrameKind.ACCEPT;
            case Read r -> FrameKind.READ;
            case Ready r -> FrameKind.READY;
            case Write w -> FrameKind.WRITE;
            case Clock c -> FrameKind.CLOCK;
            case Seed s -> FrameKind.SEED;
            case Close c -> FrameKind.CLOSE;
            case Heartbeat h -> FrameKind.HEARTBEAT;
            case Checkpoint c -> FrameKind.CHECKPOINT;
        };
    }

    private static int begin(ByteBuffer out, FrameKind kind, int bodyLength, long lsn) {
        if (out.order() != ByteOrder.BIG_ENDIAN) {
            throw new IllegalArgumentException("frames are written into big-endian buffers");
        }
        int start = out.position();
        out.putShort(MAGIC).put(VERSION).put((byte) kind.code()).putInt(bodyLength).putLong(lsn);
        return start;
    }

    private void finish(ByteBuffer out, int start) {
        int end = out.position();
        int limit = out.limit();
        out.position(start).limit(end);
        crc.reset();
        crc.update(out);
        out.limit(limit);
        out.putInt((int) crc.getValue());
    }

    private static void tuple(ByteBuffer out, FourTuple t) {
        out.putInt(t.localAddress()).putShort(port(t.localPort())).putInt(t.remoteAddress()).putShort(port(t.remotePort()));
    }

    private static short port(int port) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        return (short) port;
    }
}
