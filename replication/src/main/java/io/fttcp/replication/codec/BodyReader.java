package io.fttcp.replication.codec;

import java.nio.ByteBuffer;

/** Bounded big-endian reads over one frame body; running past its end is corruption, not an exception of another kind. */
final class BodyReader {
    private ByteBuffer buffer;
    private int position;
    private int end;
    private long frameOffset;

    void reset(ByteBuffer buffer, int start, int end, long frameOffset) {
        this.buffer = buffer;
        this.position = start;
        this.end = end;
        this.frameOffset = frameOffset;
    }

    int remaining() {
        return end - position;
    }

    private int take(int n, String what) throws CorruptRecordException {
        if (end - position < n) {
            throw new CorruptRecordException("body ends inside " + what, frameOffset);
        }
        int at = position;
        position += n;
        return at;
    }

    int u8(String what) throws CorruptRecordException {
        return buffer.get(take(1, what)) & 0xff;
    }

    int u16(String what) throws CorruptRecordException {
        return buffer.getShort(take(2, what)) & 0xffff;
    }

    int i32(String what) throws CorruptRecordException {
        return buffer.getInt(take(4, what));
    }

    long i64(String what) throws CorruptRecordException {
        return buffer.getLong(take(8, what));
    }

    byte[] bytes(int n, String what) throws CorruptRecordException {
        byte[] out = new byte[n];
        buffer.get(take(n, what), out);
        return out;
    }

    void expectEnd(String kind) throws CorruptRecordException {
        if (position != end) {
            throw new CorruptRecordException(kind + " body has " + (end - position) + " bytes past its content", frameOffset);
        }
    }

    CorruptRecordException corrupt(String what) {
        return new CorruptRecordException(what, frameOffset);
    }
}
