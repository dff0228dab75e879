package io.fttcp.link.ethernet;

import java.nio.ByteBuffer;

/**
 * A 48-bit Ethernet address held in the low bits of a long. Hot paths use the raw long
 * ({@link #read}, {@link #write}); this record is for configuration and printing.
 */
public record MacAddress(long value) {
    public static final long BROADCAST_VALUE = 0xffff_ffff_ffffL;
    public static final MacAddress BROADCAST = new MacAddress(BROADCAST_VALUE);
    public static final MacAddress ZERO = new MacAddress(0);

    public MacAddress {
        if ((value & ~BROADCAST_VALUE) != 0) {
            throw new IllegalArgumentException("MAC address value has more than 48 bits: 0x" + Long.toHexString(value));
        }
    }

    /** The VRRP virtual router MAC 00:00:5e:00:01:NN (RFC 5798 section 7.3). */
    public static MacAddress virtualRouterMac(int vrid) {
        if (vrid < 1 || vrid > 255) {
            throw new IllegalArgumentException("VRRP router id must be 1..255, got " + vrid);
        }
        return new MacAddress(0x00005e000100L | vrid);
    }

    /** Parses "aa:bb:cc:dd:ee:ff" (also with '-' separators), case-insensitive. */
    public static MacAddress parse(String text) {
        if (text == null || text.length() != 17) {
            throw new IllegalArgumentException("not a MAC address (expected aa:bb:cc:dd:ee:ff): " + text);
        }
        long v = 0;
        for (int i = 0; i < 6; i++) {
            int at = i * 3;
            if (i > 0) {
                char sep = text.charAt(at - 1);
                if (sep != ':' && sep != '-') {
                    throw new IllegalArgumentException("not a MAC address (bad separator): " + text);
                }
            }
            int hi = Character.digit(text.charAt(at), 16);
            int lo = Character.digit(text.charAt(at + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("not a MAC address (bad hex digit): " + text);
            }
            v = (v << 8) | (hi << 4) | lo;
        }
        return new MacAddress(v);
    }

    /** Reads 6 bytes at an absolute index in network order, whatever the buffer's byte order. */
    public static long read(ByteBuffer buf, int index) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (buf.get(index + i) & 0xff);
        }
        return v;
    }

    /** Writes 6 bytes at an absolute index in network order. */
    public static void write(ByteBuffer buf, int index, long mac) {
        for (int i = 5; i >= 0; i--) {
            buf.put(index + i, (byte) mac);
            mac >>>= 8;
        }
    }

    public static boolean isBroadcast(long mac) {
        return mac == BROADCAST_VALUE;
    }

    /** Group bit: the least significant bit of the first octet (broadcast included). */
    public static boolean isMulticast(long mac) {
        return (mac & 0x0100_0000_0000L) != 0;
    }

    public boolean isMulticast() {
        return isMulticast(value);
    }

    public static String format(long mac) {
        StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            int b = (int) (mac >>> shift) & 0xff;
            sb.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            if (shift > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return format(value);
    }
}
