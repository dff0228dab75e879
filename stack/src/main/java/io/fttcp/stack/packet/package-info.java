/**
 * IP-level packet codecs: IPv4, ICMP and TCP views and writers over {@link java.nio.ByteBuffer}s,
 * the Internet checksum with RFC 1624 incremental updates, and counted drop reasons.
 *
 * <p>Parsers are reusable views: they read a buffer at an offset, allocate nothing per packet,
 * never throw on malformed input and report it as a {@link io.fttcp.stack.packet.DropReason}
 * instead. Buffers must be in network (big-endian) byte order, the {@code ByteBuffer} default.
 */
package io.fttcp.stack.packet;
