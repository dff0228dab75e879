package io.fttcp.stack.packet;

/** Why a received packet was dropped by a parser; counted in {@link DropCounters}. */
public enum DropReason {
    /** Fewer than 20 bytes, or the header length runs past the bytes available. */
    IPV4_TRUNCATED,
    IPV4_BAD_VERSION,
    /** IHL below 5 (the header cannot be shorter than 20 bytes). */
    IPV4_BAD_HEADER_LENGTH,
    /** Total length shorter than the header, or longer than the bytes available. */
    IPV4_BAD_TOTAL_LENGTH,
    IPV4_BAD_CHECKSUM,
    /** More-fragments set or a non-zero fragment offset: this stack does not reassemble. */
    IPV4_FRAGMENT,
    /** A protocol the host does not handle (neither TCP nor ICMP). */
    IPV4_UNSUPPORTED_PROTOCOL,

    /** Fewer than 20 bytes, or the data offset runs past the segment. */
    TCP_TRUNCATED,
    /** Data offset below 5. */
    TCP_BAD_DATA_OFFSET,
    TCP_BAD_CHECKSUM,
    /** An option with a length byte below 2 (cannot even cover itself). */
    TCP_OPTION_TOO_SHORT,
    /** An option (or its length byte) running past the end of the header. */
    TCP_OPTION_OVERRUNS_HEADER,
    /** A known option (MSS, window scale, SACK-permitted, SACK, timestamps) with the wrong length. */
    TCP_OPTION_BAD_LENGTH,

    /** Shorter than the ICMP header its type needs. */
    ICMP_TRUNCATED,
    ICMP_BAD_CHECKSUM,
    /** A type a host need not handle (redirect, timestamp, router advertisement, ...). */
    ICMP_UNSUPPORTED_TYPE,
    /** Source quench is deprecated and must be ignored (RFC 6633). */
    ICMP_SOURCE_QUENCH_IGNORED,
    /** An ICMP error whose embedded original IPv4 header + 8 bytes is missing or not IPv4. */
    ICMP_BAD_EMBEDDED_PACKET
}
