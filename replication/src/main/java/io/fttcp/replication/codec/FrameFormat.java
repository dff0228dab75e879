package io.fttcp.replication.codec;

/**
 * The frame layout, big-endian:
 * {@code [magic u16][format version u8][kind u8][body length u32][LSN u64][body][CRC32C u32]},
 * the CRC covering every byte before it. Bodies per kind are documented in {@link FrameEncoder}.
 */
public final class FrameFormat {
    public static final short MAGIC = (short) 0xF7C5;
    public static final byte VERSION = 1;
    public static final int HEADER_LENGTH = 16;
    public static final int TRAILER_LENGTH = 4;
    public static final int OVERHEAD = HEADER_LENGTH + TRAILER_LENGTH;
    /** Default largest body: a 64 KiB segment (TSO/GRO sized) with room to spare, or a 65k-entry poll. */
    public static final int DEFAULT_MAX_BODY_LENGTH = 1 << 20;
    /** The largest maximum a codec takes: far above any record, and a frame's length (and a buffer's) stays within an int. */
    public static final int LARGEST_MAX_BODY_LENGTH = 1 << 30;

    static final int TUPLE_LENGTH = 12;
    static final int CONNECT_LENGTH = TUPLE_LENGTH + 9 * 4 + 1;
    static final int SEGMENT_FIXED_LENGTH = TUPLE_LENGTH + 6 * 4;
    static final int ACCEPT_LENGTH = 2 * TUPLE_LENGTH;
    static final int READ_LENGTH = TUPLE_LENGTH + 4;
    static final int READY_FIXED_LENGTH = 4 + 4;
    static final int HEARTBEAT_FIXED_LENGTH = 8 + 4;
    static final int LIST_ENTRY_LENGTH = TUPLE_LENGTH + 4;
    static final int WRITE_LENGTH = TUPLE_LENGTH + 8 + 4 + 8;
    static final int CLOCK_LENGTH = TUPLE_LENGTH + 1 + 8;
    static final int SEED_LENGTH = TUPLE_LENGTH + 8;
    static final int CLOSE_LENGTH = TUPLE_LENGTH + 1;
    static final int CHECKPOINT_FIXED_LENGTH = TUPLE_LENGTH + 4 + 4;
    static final int CHECKPOINT_ENTRY_FIXED_LENGTH = TUPLE_LENGTH + 8 + 8 + 1 + 8 + 4;
    static final int HANDSHAKE_FIXED_LENGTH = 2 + 1 + 8 + 1 + 2 + 4;
    /** A protocol 4 peer's handshake lacks the last field: read, so that it is refused by its version, not as malformed. */
    static final int HANDSHAKE_LEAST_LENGTH = HANDSHAKE_FIXED_LENGTH - 4;
    static final int ACK_LENGTH = 8;
    static final int CHANNEL_HEARTBEAT_LENGTH = 16;
    static final int CAUGHT_UP_LENGTH = 0;
    static final int ROSTER_FIXED_LENGTH = 4;
    static final int INCOMPLETE_LENGTH = 0;
    static final int ROSTER_ENTRY_LENGTH = TUPLE_LENGTH + 4 + 4;
    static final int MAX_REJECT_REASON_BYTES = 1024;

    /** Whole length of a CAUGHT_UP frame. */
    public static final int CAUGHT_UP_FRAME_LENGTH = OVERHEAD + CAUGHT_UP_LENGTH;

    private FrameFormat() {
    }

    /** Smallest valid body of a kind. */
    static int minBodyLength(FrameKind kind) {
        return switch (kind) {
            case CONNECT -> CONNECT_LENGTH;
            case SEGMENT -> SEGMENT_FIXED_LENGTH;
            case ACCEPT -> ACCEPT_LENGTH;
            case READ -> READ_LENGTH;
            case READY -> READY_FIXED_LENGTH;
            case HEARTBEAT -> HEARTBEAT_FIXED_LENGTH;
            case WRITE -> WRITE_LENGTH;
            case CLOCK -> CLOCK_LENGTH;
            case SEED -> SEED_LENGTH;
            case CLOSE -> CLOSE_LENGTH;
            case CHECKPOINT -> CHECKPOINT_FIXED_LENGTH;
            case HANDSHAKE -> HANDSHAKE_LEAST_LENGTH;
            case REJECT -> 0;
            case ACK -> ACK_LENGTH;
            case CHANNEL_HEARTBEAT -> CHANNEL_HEARTBEAT_LENGTH;
            case CAUGHT_UP -> CAUGHT_UP_LENGTH;
            case ROSTER -> ROSTER_FIXED_LENGTH;
            case INCOMPLETE -> INCOMPLETE_LENGTH;
        };
    }

    /** Largest valid body of a kind (before the configured maximum applies). */
    static long maxBodyLength(FrameKind kind) {
        return switch (kind) {
            case SEGMENT, READY, HEARTBEAT, CHECKPOINT, ROSTER -> Long.MAX_VALUE;
            case HANDSHAKE -> HANDSHAKE_FIXED_LENGTH + Handshake.MAX_CLUSTER_ID_BYTES;
            case REJECT -> MAX_REJECT_REASON_BYTES;
            default -> minBodyLength(kind);
        };
    }
}
