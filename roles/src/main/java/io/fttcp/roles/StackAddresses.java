package io.fttcp.roles;

import java.net.Inet4Address;
import java.net.InetAddress;

/** Conversions between Java's addresses and the stack's int form of IPv4 addresses. */
public final class StackAddresses {
    private StackAddresses() {}

    public static int toInt(InetAddress address) {
        if (!(address instanceof Inet4Address)) throw new IllegalArgumentException("only IPv4 is supported: " + address);
        byte[] b = address.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    public static InetAddress toInetAddress(int address) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError("four bytes are always an IPv4 address", e);
        }
    }

    /** Whether this host's kernel has {@code address} on one of its interfaces. */
    public static boolean isOwn(int address) {
        if (address == 0) return false;
        try {
            return java.net.NetworkInterface.getByInetAddress(toInetAddress(address)) != null;
        } catch (java.net.SocketException e) {
            return false;
        }
    }

    /** The first of {@code addresses} this host has (0: none; 0 entries are skipped). */
    public static int ownAddressAmong(int... addresses) {
        for (int a : addresses) {
            if (isOwn(a)) return a;
        }
        return 0;
    }
}
