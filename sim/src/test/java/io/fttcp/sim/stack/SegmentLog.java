package io.fttcp.sim.stack;

import io.fttcp.link.ethernet.Ipv4Text;
import io.fttcp.sim.net.NetworkObserver;
import io.fttcp.sim.net.SimPort;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/** For investigating a seed: a one-line summary of the last delivered TCP segments. */
final class SegmentLog implements NetworkObserver {
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private final int keep;

    SegmentLog(int keep) {
        this.keep = keep;
    }

    @Override
    public void delivered(SimPort from, SimPort to, ByteBuffer frame, long now) {
        int p = frame.position();
        if (frame.remaining() < 54 || frame.getShort(p + 12) != 0x0800 || frame.get(p + 23) != 6) {
            return;
        }
        int ip = p + 14;
        int tcp = ip + ((frame.get(ip) & 0x0F) << 2);
        int total = frame.getShort(ip + 2) & 0xFFFF;
        int dataOffset = ((frame.get(tcp + 12) & 0xF0) >> 2);
        int payload = total - (tcp - ip) - dataOffset;
        int flags = frame.get(tcp + 13);
        StringBuilder f = new StringBuilder();
        if ((flags & 0x02) != 0) f.append('S');
        if ((flags & 0x01) != 0) f.append('F');
        if ((flags & 0x04) != 0) f.append('R');
        if ((flags & 0x08) != 0) f.append('P');
        if ((flags & 0x10) != 0) f.append('.');
        String line = String.format("%.6f %s:%d > %s:%d [%s] seq %s ack %s win %d len %d",
                now / 1e9, Ipv4Text.format(frame.getInt(ip + 12)), frame.getShort(tcp) & 0xFFFF,
                Ipv4Text.format(frame.getInt(ip + 16)), frame.getShort(tcp + 2) & 0xFFFF, f,
                Integer.toUnsignedString(frame.getInt(tcp + 4)), Integer.toUnsignedString(frame.getInt(tcp + 8)),
                frame.getShort(tcp + 14) & 0xFFFF, payload) + timestamps(frame, tcp, dataOffset);
        lines.addLast(line);
        if (lines.size() > keep) {
            lines.removeFirst();
        }
    }

    private static String timestamps(ByteBuffer frame, int tcp, int dataOffset) {
        int at = tcp + 20;
        int end = tcp + dataOffset;
        while (at < end) {
            int kind = frame.get(at) & 0xFF;
            if (kind == 0) {
                break;
            }
            if (kind == 1) {
                at++;
                continue;
            }
            int length = frame.get(at + 1) & 0xFF;
            if (length < 2) {
                break;
            }
            if (kind == 8 && length == 10) {
                return " TS " + Integer.toUnsignedString(frame.getInt(at + 2)) + " ecr " + Integer.toUnsignedString(frame.getInt(at + 6));
            }
            at += length;
        }
        return "";
    }

    /** The kept lines whose text contains {@code filter}. */
    String dump(String filter) {
        StringBuilder b = new StringBuilder();
        for (String line : lines) {
            if (line.contains(filter)) {
                b.append(line).append('\n');
            }
        }
        return b.toString();
    }
}
