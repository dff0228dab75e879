package io.fttcp.roles.logger;

import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.stack.tcp.FourTuple;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The mark of a log generation whose records are incomplete: a primary that had run without
 * this logger (its records dropped as stable meanwhile) was lost while catching it up, so the
 * connections these records name are behind their clients. A recovery from this generation
 * restores none of the connections named through {@code throughLsn} and resets their clients
 * and those of the {@code roster} (the broken-off catch-up's). Kept in the generation's directory
 * (file {@value #FILE}), so it goes with the generation once a complete catch-up replaces it;
 * the connections of a server recovered meanwhile (named after {@code throughLsn}) are restored
 * as usual.
 *
 * <p>Format: magic "FTIM", version u8, throughLsn i64, count u32, count x (local address i32,
 * local port u16, remote address i32, remote port u16, client ISN i32, server ISN i32), CRC32C
 * u32 of all before it.
 */
record IncompleteMark(long throughLsn, List<RosterEntry> roster) {
    static final String FILE = "INCOMPLETE";
    private static final int MAGIC = 0x4654_494D; // "FTIM"
    private static final byte VERSION = 1;
    private static final int ENTRY_LENGTH = 20;
    private static final int FIXED_LENGTH = 4 + 1 + 8 + 4 + 4;

    IncompleteMark {
        if (throughLsn < 1) throw new IllegalArgumentException("an incomplete mark covers LSN 1 at least, not " + throughLsn);
        roster = List.copyOf(roster);
    }

    /** This mark widened by another broken-off catch-up: through the later LSN, the rosters merged (the later entry of a four-tuple wins). */
    IncompleteMark merge(long through, List<RosterEntry> more) {
        List<RosterEntry> all = new ArrayList<>(roster);
        all.addAll(more);
        return new IncompleteMark(Math.max(throughLsn, through), RosterEntry.latestOfEachFourTuple(all));
    }

    /** The mark in {@code directory}, or null if it has none; a damaged file is a clear error. */
    static IncompleteMark read(Path directory) throws IOException {
        Path file = directory.resolve(FILE);
        if (!Files.exists(file)) return null;
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
        try {
            if (in.remaining() < FIXED_LENGTH) throw damaged(file, "it is " + in.remaining() + " bytes long");
            CRC32C crc = new CRC32C();
            crc.update(in.array(), 0, in.remaining() - 4);
            if ((int) crc.getValue() != in.getInt(in.remaining() - 4)) throw damaged(file, "its CRC32C does not match");
            if (in.getInt() != MAGIC || in.get() != VERSION) throw damaged(file, "it does not start with this format's magic and version");
            long through = in.getLong();
            long count = in.getInt() & 0xffffffffL;
            if (count * ENTRY_LENGTH != in.remaining() - 4) throw damaged(file, "it names " + count + " connections in " + (in.remaining() - 4) + " bytes");
            RosterEntry[] entries = new RosterEntry[(int) count];
            for (int i = 0; i < count; i++) {
                FourTuple t = new FourTuple(in.getInt(), in.getShort() & 0xffff, in.getInt(), in.getShort() & 0xffff);
                entries[i] = new RosterEntry(t, in.getInt(), in.getInt());
            }
            return new IncompleteMark(through, List.of(entries));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw damaged(file, e.toString());
        }
    }

    /** Writes the mark into {@code directory}, durably (replacing an earlier one). */
    void write(Path directory) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(FIXED_LENGTH + roster.size() * ENTRY_LENGTH);
        out.putInt(MAGIC).put(VERSION).putLong(throughLsn).putInt(roster.size());
        for (RosterEntry e : roster) {
            FourTuple t = e.tuple();
            out.putInt(t.localAddress()).putShort((short) t.localPort()).putInt(t.remoteAddress()).putShort((short) t.remotePort())
                    .putInt(e.clientIsn()).putInt(e.serverIsn());
        }
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        DurableFile.replace(directory.resolve(FILE), out.array());
    }

    private static IOException damaged(Path file, String why) {
        return new IOException(file + " (a log generation's incomplete mark) is damaged: " + why
                + "; remove it only if no recovery is to be served from this generation's records (they may be behind their clients)");
    }
}
