package io.fttcp.sim.net;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes the frames delivered by a simulated network as a pcap capture (nanosecond
 * timestamps, Ethernet link type) for Wireshark or tcpdump: debugging a failing seed.
 * Timestamps are virtual time since the start of the simulation.
 */
public final class PcapWriter implements NetworkObserver, Closeable {
    private static final int MAGIC_NANOSECONDS = 0xA1B23C4D;
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int SNAPLEN = 65535;

    private final OutputStream out;
    private final SimPort only;
    private final ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    private final byte[] copy = new byte[SNAPLEN];

    /** Captures deliveries to {@code only}, or every delivery if it is null. Writes the file header now. */
    public PcapWriter(OutputStream out, SimPort only) {
        this.out = new BufferedOutputStream(out, 1 << 16);
        this.only = only;
        header.clear().putInt(MAGIC_NANOSECONDS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(SNAPLEN).putInt(LINKTYPE_ETHERNET);
        write(header.array(), 24);
    }

    @Override
    public void delivered(SimPort from, SimPort to, ByteBuffer frame, long now) {
        if (only != null && to != only) {
            return;
        }
        int length = Math.min(frame.remaining(), SNAPLEN);
        header.clear().putInt((int) (now / 1_000_000_000L)).putInt((int) (now % 1_000_000_000L))
                .putInt(length).putInt(frame.remaining());
        write(header.array(), 16);
        frame.get(frame.position(), copy, 0, length);
        write(copy, length);
    }

    private void write(byte[] bytes, int length) {
        try {
            out.write(bytes, 0, length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write pcap capture", e);
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
