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
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import static io.fttcp.replication.codec.FrameFormat.*;

/**
 * Streaming frame decoder: fed a buffer that holds any number of whole or partial frames, it
 * consumes whole frames only and leaves a partial one for the next call. It checks the header
 * as soon as its bytes arrive (so garbage fails fast, and a corrupt length never makes it wait
 * for or allocate more than {@code maxBodyLength}), then the CRC, then parses the body, which
 * must be exactly as long as its length says.
 *
 * <p>After a {@link CorruptRecordException} the stream is unusable; every later call rethrows it.
 * Not thread-safe.
 */
public final class FrameDecoder {
    private final int maxBodyLength;
    private final CRC32C crc = new CRC32C();
    private final BodyReader body = new BodyReader();
    private long streamOffset;
    private CorruptRecordException failure;

    public FrameDecoder() {
        this(DEFAULT_MAX_BODY_LENGTH);
    }

    public FrameDecoder(int maxBodyLength) {
        if (maxBodyLength < 64 || maxBodyLength > LARGEST_MAX_BODY_LENGTH) {
            throw new IllegalArgumentException("max body length " + maxBodyLength + " outside 64.." + LARGEST_MAX_BODY_LENGTH);
        }
        this.maxBodyLength = maxBodyLength;
    }

    /** Largest frame this decoder accepts: size a receive buffer at least this large. */
    public int maxFrameLength() {
        return OVERHEAD + maxBodyLength;
    }

    /** Bytes of the stream consumed so far (the offset of the next frame). */
    public long streamOffset() {
        return streamOffset;
    }

    /** Decodes every whole frame in {@code in}; returns how many. */
    public int decodeAll(ByteBuffer in, FrameHandler handler) throws ReplicationProtocolException {
        int n = 0;
        while (decode(in, handler)) {
            n++;
        }
        return n;
    }

    /**
     * Decodes one frame at {@code in}'s position and hands it to {@code handler}.
     *
     * @return false when {@code in} holds no whole frame yet (nothing consumed)
     * @throws CorruptRecordException the bytes at the position are not a valid frame (nothing consumed)
     * @throws ReplicationProtocolException thrown by the handler (the frame is consumed)
     */
    public boolean decode(ByteBuffer in, FrameHandler handler) throws ReplicationProtocolException {
        if (failure != null) {
            throw failure;
        }
        try {
            return decodeFrame(in, handler);
        } catch (CorruptRecordException e) {
            failure = e;
            throw e;
        }
    }

    /**
     * The stream ended (the peer closed). Bytes left in {@code in} are a truncated frame.
     *
     * @throws CorruptRecordException if {@code in} holds part of a frame
     */
    public void endOfStream(ByteBuffer in) throws CorruptRecordException {
        if (failure != null) {
            throw failure;
        }
        if (in.hasRemaining()) {
            failure = new CorruptRecordException("stream ends inside a frame (" + in.remaining() + " bytes of it)", streamOffset);
            throw failure;
        }
    }

    private boolean decodeFrame(ByteBuffer in, FrameHandler handler) throws ReplicationProtocolException {
        if (in.order() != ByteOrder.BIG_ENDIAN) {
            throw new IllegalArgumentException("frames are read from big-endian buffers");
        }
        int start = in.position();
        int available = in.remaining();
        if (available >= 2 && in.getShort(start) != MAGIC) {
            throw corrupt(String.format("bad magic 0x%04x (expected 0x%04x)", in.getShort(start) & 0xffff, MAGIC & 0xffff));
        }
        if (available >= 3 && in.get(start + 2) != VERSION) {
            throw corrupt("unknown format version " + (in.get(start + 2) & 0xff) + " (this build reads " + VERSION + ")");
        }
        if (available < 4) {
            return false;
        }
        FrameKind kind = FrameKind.of(in.get(start + 3));
        if (kind == null) {
            throw corrupt("unknown frame kind " + (in.get(start + 3) & 0xff));
        }
        if (available < 8) {
            return false;
        }
        long bodyLength = in.getInt(start + 4) & 0xffffffffL;
        if (bodyLength > maxBodyLength) {
            throw corrupt(kind + " body length " + bodyLength + " is over the maximum of " + maxBodyLength);
        }
        if (bodyLength < minBodyLength(kind) || bodyLength > FrameFormat.maxBodyLength(kind)) {
            throw corrupt(kind + " body length " + bodyLength + " is impossible for its kind");
        }
        int frameLength = OVERHEAD + (int) bodyLength;
        if (available < frameLength) {
            return false;
        }
        long lsn = in.getLong(start + 8);
        int bodyEnd = start + HEADER_LENGTH + (int) bodyLength;
        int limit = in.limit();
        in.limit(bodyEnd);
        crc.reset();
        crc.update(in);
        in.limit(limit).position(start);
        int expected = in.getInt(bodyEnd);
        if ((int) crc.getValue() != expected) {
            throw corrupt(String.format("%s CRC32C mismatch (computed 0x%08x, frame says 0x%08x)", kind, (int) crc.getValue(), expected));
        }
        if (lsn < 0 || (kind.isRecord() && lsn == 0)) {
            throw corrupt(kind + " has invalid LSN " + Long.toUnsignedString(lsn));
        }
        body.reset(in, start + HEADER_LENGTH, bodyEnd, streamOffset);
        if (kind.isRecord()) {
            Record record = parseRecord(kind);
            body.expectEnd(kind.name());
            consume(in, start, frameLength);
            handler.onRecord(lsn, record);
            return true;
        }
        switch (kind) {
            case HANDSHAKE -> {
                Handshake h = parseHandshake(lsn);
                consume(in, start, frameLength);
                handler.onHandshake(h);
            }
            case REJECT -> {
                String reason = new String(body.bytes(body.remaining(), "reason"), StandardCharsets.UTF_8);
                consume(in, start, frameLength);
                handler.onReject(reason);
            }
            case ACK -> {
                long echo = body.i64("echo");
                consume(in, start, frameLength);
                handler.onAck(lsn, echo);
            }
            case CHANNEL_HEARTBEAT -> {
                long sentAt = body.i64("sent-at");
                long echo = body.i64("echo");
                consume(in, start, frameLength);
                handler.onHeartbeat(lsn, sentAt, echo);
            }
            case CAUGHT_UP -> {
                consume(in, start, frameLength);
                handler.onCaughtUp(lsn);
            }
            case INCOMPLETE -> {
                consume(in, start, frameLength);
                handler.onIncomplete(lsn);
            }
            case ROSTER -> {
                long count = body.i32("entry count") & 0xffffffffL;
                if (count * ROSTER_ENTRY_LENGTH != body.remaining()) {
                    throw body.corrupt("ROSTER says " + count + " entries but has " + body.remaining() + " bytes for them");
                }
                List<RosterEntry> entries = new ArrayList<>((int) count);
                for (int i = 0; i < count; i++) {
                    entries.add(new RosterEntry(tuple(), body.i32("client ISN"), body.i32("server ISN")));
                }
                consume(in, start, frameLength);
                handler.onRoster(lsn, entries);
            }
            default -> throw new AssertionError(kind);
        }
        return true;
    }

    private void consume(ByteBuffer in, int start, int frameLength) {
        in.position(start + frameLength);
        streamOffset += frameLength;
    }

    private CorruptRecordException corrupt(String what) {
        return new CorruptRecordException(what, streamOffset);
    }

    private Record parseRecord(FrameKind kind) throws CorruptRecordException {
        return switch (kind) {
            case CONNECT -> {
                FourTuple t = tuple();
                int clientIsn = body.i32("client ISN");
                int serverIsn = body.i32("server ISN");
                int clientMss = body.i32("client MSS");
                int serverMss = body.i32("server MSS");
                int clientShift = body.i32("client window shift");
                int serverShift = body.i32("server window shift");
                int options = body.u8("options");
                if ((options & ~3) != 0) {
                    throw body.corrupt("CONNECT options byte has unknown bits: " + options);
                }
                yield new Connect(t, clientIsn, serverIsn, clientMss, serverMss, clientShift, serverShift,
                        (options & 1) != 0, (options & 2) != 0, body.i32("server TSval"), body.i32("client TSval"),
                        body.i32("client window"));
            }
            case SEGMENT -> new Segment(tuple(), body.i32("seq"), body.i32("ack"), body.i32("flags"), body.i32("window"),
                    body.i32("TSval"), body.i32("TSecr"), body.bytes(body.remaining(), "payload"));
            case ACCEPT -> new Accept(tuple(), tuple());
            case READ -> new Read(tuple(), body.i32("count"));
            case READY -> {
                int poller = body.i32("poller");
                int count = listCount("READY");
                List<Ready.Entry> entries = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    entries.add(new Ready.Entry(tuple(), body.i32("ready ops")));
                }
                yield new Ready(poller, entries);
            }
            case WRITE -> new Write(tuple(), body.i64("offset"), body.i32("count"), body.i64("hash"));
            case CLOCK -> {
                FourTuple context = tuple();
                int source = body.u8("clock source");
                if (source >= Clock.Source.values().length) {
                    throw body.corrupt("unknown clock source " + source);
                }
                yield new Clock(context, Clock.Source.values()[source], body.i64("clock value"));
            }
            case SEED -> new Seed(tuple(), body.i64("seed"));
            case CLOSE -> {
                FourTuple t = tuple();
                int how = body.u8("close kind");
                if (how >= Close.How.values().length) {
                    throw body.corrupt("unknown close kind " + how);
                }
                yield new Close(t, Close.How.values()[how]);
            }
            case HEARTBEAT -> {
                long sentAt = body.i64("sent-at");
                int count = listCount("HEARTBEAT");
                List<Heartbeat.TsVal> entries = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    entries.add(new Heartbeat.TsVal(tuple(), body.i32("TSval")));
                }
                yield new Heartbeat(sentAt, entries);
            }
            case CHECKPOINT -> parseCheckpoint();
            default -> throw new AssertionError(kind);
        };
    }

    private Checkpoint parseCheckpoint() throws CorruptRecordException {
        FourTuple context = tuple();
        byte[] state = body.bytes(length("state", 0), "state");
        long count = body.i32("entry count") & 0xffffffffL;
        if (count * CHECKPOINT_ENTRY_FIXED_LENGTH > body.remaining()) {
            throw body.corrupt("CHECKPOINT says " + count + " entries but has " + body.remaining() + " bytes for them");
        }
        List<Checkpoint.Entry> entries = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            FourTuple t = tuple();
            long readOffset = body.i64("read offset");
            long outputOffset = body.i64("output offset");
            int flags = body.u8("flags");
            if ((flags & ~3) != 0) {
                throw body.corrupt("CHECKPOINT entry flags byte has unknown bits: " + flags);
            }
            long outputStart = body.i64("output start");
            byte[] output = body.bytes(length("output", CHECKPOINT_ENTRY_FIXED_LENGTH * (count - i - 1)), "output");
            try {
                entries.add(new Checkpoint.Entry(t, readOffset, outputOffset, (flags & 1) != 0, (flags & 2) != 0, outputStart, output));
            } catch (IllegalArgumentException e) {
                throw body.corrupt("CHECKPOINT entry " + i + " is invalid: " + e.getMessage());
            }
        }
        try {
            return new Checkpoint(context, state, entries);
        } catch (IllegalArgumentException e) {
            throw body.corrupt("CHECKPOINT is invalid: " + e.getMessage());
        }
    }

    /** A byte string's length, checked against the bytes left (less {@code reserved} for what must follow) before allocating. */
    private int length(String what, long reserved) throws CorruptRecordException {
        long n = body.i32(what + " length") & 0xffffffffL;
        if (n + reserved > body.remaining()) {
            throw body.corrupt("CHECKPOINT " + what + " length " + n + " is over the " + (body.remaining() - reserved) + " bytes left for it");
        }
        return (int) n;
    }

    /** A list's count, checked against the bytes left before anything is allocated for it. */
    private int listCount(String kind) throws CorruptRecordException {
        long count = body.i32("entry count") & 0xffffffffL;
        if (count * LIST_ENTRY_LENGTH != body.remaining()) {
            throw body.corrupt(kind + " says " + count + " entries but has " + body.remaining() + " bytes for them");
        }
        return (int) count;
    }

    private FourTuple tuple() throws CorruptRecordException {
        return new FourTuple(body.i32("local address"), body.u16("local port"), body.i32("remote address"), body.u16("remote port"));
    }

    private Handshake parseHandshake(long lsn) throws CorruptRecordException {
        int version = body.u16("protocol version");
        int roleCode = body.u8("role");
        Role role = Role.of(roleCode);
        if (role == null) {
            throw body.corrupt("HANDSHAKE has unknown role " + roleCode);
        }
        long epoch = body.i64("epoch");
        int idLength = body.u8("cluster id length");
        byte[] id = body.bytes(idLength, "cluster id");
        int livenessPort = body.u16("liveness port");
        int unprotectedAfter = body.remaining() == 0 ? 0 : body.i32("unprotected-after"); // absent from a protocol 4 peer's: refused by its version
        if (unprotectedAfter < 0) throw body.corrupt("HANDSHAKE unprotected-after is negative: " + unprotectedAfter);
        body.expectEnd("HANDSHAKE");
        String clusterId;
        try {
            clusterId = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(id)).toString();
        } catch (CharacterCodingException e) {
            throw body.corrupt("HANDSHAKE cluster id is not UTF-8");
        }
        if (PeerText.hasControlCharacter(clusterId)) {
            throw body.corrupt("HANDSHAKE cluster id has a control character: '" + PeerText.printable(clusterId) + "'");
        }
        return new Handshake(version, role, clusterId, epoch, lsn, livenessPort, unprotectedAfter);
    }
}
