package io.fttcp.replication.codec;

/**
 * A frame of the replication stream is not what an encoder writes: bad magic, unknown version
 * or kind, a length over the configured maximum, a CRC mismatch, a body that does not parse to
 * exactly its length, or a stream that ends inside a frame.
 */
public final class CorruptRecordException extends ReplicationProtocolException {
    private final long streamOffset;

    public CorruptRecordException(String what, long streamOffset) {
        super("corrupt replication frame at stream offset " + streamOffset + ": " + what);
        this.streamOffset = streamOffset;
    }

    /** Offset, in bytes from the start of the stream, of the frame that is corrupt. */
    public long streamOffset() {
        return streamOffset;
    }
}
