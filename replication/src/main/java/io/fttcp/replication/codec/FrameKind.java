package io.fttcp.replication.codec;

/**
 * The kind byte of a frame. Record kinds carry one {@link io.fttcp.replication.record.Record}
 * and its LSN; control kinds carry the channel's own messages.
 */
public enum FrameKind {
    CONNECT(1), SEGMENT(2), ACCEPT(3), READ(4), READY(5), WRITE(6), CLOCK(7), SEED(8), CLOSE(9),
    HEARTBEAT(10), CHECKPOINT(11),
    /** First frame each way: who I am (LSN field: primary: next LSN it sends; backup: last LSN it holds). */
    HANDSHAKE(0x40),
    /** The peer refused our handshake; body: the reason (UTF-8). */
    REJECT(0x41),
    /** Backup to primary: every record up to the LSN field is held (cumulative). */
    ACK(0x42),
    /** Liveness, both ways (LSN field: the sender's highest LSN appended or held). */
    CHANNEL_HEARTBEAT(0x43),
    /**
     * Primary (or logger) to a peer that held nothing: the catch-up records before it are all it
     * gets below the LSN field (the sender's stable LSN at the restart); from LSN field + 1 the
     * stream is contiguous. No body.
     */
    CAUGHT_UP(0x44),
    /**
     * Primary to a peer about to be caught up, before the catch-up's records (one frame or
     * several): the roster, every connection the catch-up covers (LSN field: the catch-up's end,
     * as CAUGHT_UP's). A joiner whose catch-up breaks off with the primary knows only the
     * connections whose CONNECT arrived; the roster names the others, so it can reset their clients
     * rather than leave a silent one waiting. Body: count u32, count x (tuple, client ISN i32,
     * server ISN i32).
     */
    ROSTER(0x45),
    /**
     * Logger to a recovering server, before the catch-up's roster and records: the records
     * through the LSN field are incomplete (a primary that had run without the logger was lost
     * while catching it up): restore none of the connections they name, reset their clients and
     * the roster's. No body.
     */
    INCOMPLETE(0x46);

    private static final FrameKind[] BY_CODE = new FrameKind[256];

    static {
        for (FrameKind k : values()) {
            BY_CODE[k.code] = k;
        }
    }

    private final int code;

    FrameKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The kind with this code, or null when none has it. */
    public static FrameKind of(int code) {
        return BY_CODE[code & 0xff];
    }

    public boolean isRecord() {
        return code < HANDSHAKE.code;
    }
}
