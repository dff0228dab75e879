package io.fttcp.sim.net;

import java.nio.ByteBuffer;

/** Builds and reads the Ethernet frames the network tests send: a sequence number after the header. */
final class TestFrames {
    static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    static final int ETHERTYPE = 0x88B5; // IEEE local experimental

    private TestFrames() {
    }

    /** A {@code length}-byte frame from {@code src} to {@code dst} carrying {@code sequence}. */
    static ByteBuffer frame(long dst, long src, int sequence, int length) {
        ByteBuffer frame = ByteBuffer.allocate(length);
        putMac(frame, dst);
        putMac(frame, src);
        frame.putShort((short) ETHERTYPE);
        if (length >= 18) {
            frame.putInt(sequence);
        }
        while (frame.hasRemaining()) {
            frame.put((byte) (sequence * 31 + frame.position()));
        }
        return frame.flip();
    }

    static ByteBuffer frame(SimPort to, SimPort from, int sequence, int length) {
        return frame(to.mac(), from.mac(), sequence, length);
    }

    static int sequence(ByteBuffer frame) {
        return frame.getInt(frame.position() + 14);
    }

    static long destination(ByteBuffer frame) {
        return mac(frame, frame.position());
    }

    static long source(ByteBuffer frame) {
        return mac(frame, frame.position() + 6);
    }

    private static long mac(ByteBuffer frame, int at) {
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            mac = (mac << 8) | (frame.get(at + i) & 0xFF);
        }
        return mac;
    }

    private static void putMac(ByteBuffer frame, long mac) {
        for (int i = 5; i >= 0; i--) {
            frame.put((byte) (mac >>> (8 * i)));
        }
    }
}
