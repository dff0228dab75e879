package io.fttcp.replication.log;

import io.fttcp.replication.codec.CorruptRecordException;
import io.fttcp.replication.codec.FrameDecoder;
import io.fttcp.replication.codec.FrameHandler;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.record.Record;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads one segment file frame by frame. A frame that is not a valid record frame, or bytes at
 * the end of the file that are not a whole frame, are a {@link CorruptRecordException} whose
 * offset is the frame's byte offset in the file. Checks no LSN: callers know what they expect.
 */
final class SegmentReader implements AutoCloseable {
    private final FileChannel channel;
    private final ByteBuffer buffer;
    private final FrameDecoder decoder;
    private long frameOffset;
    private long lsn;
    private Record record;

    private final FrameHandler handler = new FrameHandler() {
        @Override
        public void onRecord(long frameLsn, Record frameRecord) {
            lsn = frameLsn;
            record = frameRecord;
        }

        @Override
        public void onHandshake(Handshake handshake) throws CorruptRecordException {
            throw notARecord("HANDSHAKE");
        }

        @Override
        public void onReject(String reason) throws CorruptRecordException {
            throw notARecord("REJECT");
        }

        @Override
        public void onAck(long ackLsn, long echoNanos) throws CorruptRecordException {
            throw notARecord("ACK");
        }

        @Override
        public void onHeartbeat(long heartbeatLsn, long sentAtNanos, long echoNanos) throws CorruptRecordException {
            throw notARecord("CHANNEL_HEARTBEAT");
        }
    };

    /** @param buffer a big-endian buffer of at least one maximal frame; its content is replaced */
    SegmentReader(Path file, ByteBuffer buffer, int maxBodyLength) throws IOException {
        this.decoder = new FrameDecoder(maxBodyLength);
        if (buffer.capacity() < decoder.maxFrameLength()) {
            throw new IllegalArgumentException("read buffer of " + buffer.capacity() + " bytes cannot hold a "
                    + decoder.maxFrameLength() + "-byte frame");
        }
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.buffer = buffer.clear().flip();
    }

    private CorruptRecordException notARecord(String kind) {
        return new CorruptRecordException("a valid " + kind + " frame, which is not a record, in a log segment", frameOffset);
    }

    /**
     * Reads the next frame.
     *
     * @return false at the end of the file, after the last whole frame
     * @throws CorruptRecordException the bytes at {@link #frameOffset()} are not a whole, valid record frame
     */
    boolean next() throws IOException {
        while (true) {
            frameOffset = decoder.streamOffset();
            if (decoder.decode(buffer, handler)) {
                return true;
            }
            buffer.compact();
            int n;
            try {
                n = channel.read(buffer);
            } finally {
                buffer.flip();
            }
            if (n == 0) {
                throw new IllegalStateException("read buffer full inside one frame"); // the decoder bounds frames to the buffer
            }
            if (n < 0) {
                if (!buffer.hasRemaining()) {
                    return false;
                }
                decoder.endOfStream(buffer);
            }
        }
    }

    long lsn() {
        return lsn;
    }

    Record record() {
        return record;
    }

    /** Offset of the frame last read (or of the frame that failed). */
    long frameOffset() {
        return frameOffset;
    }

    /** Offset just past the last valid frame read. */
    long validEnd() {
        return decoder.streamOffset();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
