package io.fttcp.stack.host;

import io.fttcp.stack.tcp.TcpConfig;

/**
 * Configuration of one host's IP layer.
 *
 * @param tcp                TCP tunables for every connection of this host
 * @param mtu                the link's MTU (IP packet size); MSS follows from it
 * @param synBacklog         half-open (SYN_RECEIVED) connections per listener before SYN cookies take over
 * @param segmentOffload     largest TCP segment handed to the link at once (link segmentation offload); 0: none
 * @param checksumOffload    the link computes outgoing TCP checksums (we write only the pseudo-header sum)
 * @param ttl                IP time to live of sent packets
 * @param secret0            first half of the secret key for ISNs and SYN cookies
 * @param secret1            second half
 */
public record HostConfig(TcpConfig tcp, int mtu, int synBacklog, int segmentOffload, boolean checksumOffload,
                         int ttl, long secret0, long secret1) {

    public static HostConfig defaults(long secret0, long secret1) {
        return new HostConfig(TcpConfig.defaults(), 1500, 1024, 0, false, 64, secret0, secret1);
    }

    public HostConfig withTcp(TcpConfig t) {
        return new HostConfig(t, mtu, synBacklog, segmentOffload, checksumOffload, ttl, secret0, secret1);
    }

    public HostConfig withMtu(int m) {
        return new HostConfig(tcp, m, synBacklog, segmentOffload, checksumOffload, ttl, secret0, secret1);
    }

    public HostConfig withSynBacklog(int b) {
        return new HostConfig(tcp, mtu, b, segmentOffload, checksumOffload, ttl, secret0, secret1);
    }

    public HostConfig withOffload(int segmentOffloadBytes, boolean checksum) {
        return new HostConfig(tcp, mtu, synBacklog, segmentOffloadBytes, checksum, ttl, secret0, secret1);
    }

    /** MSS we advertise: the MTU minus IP and TCP headers, capped by the TCP config. */
    public int mss() {
        return Math.min(tcp.mss(), mtu - 40);
    }
}
