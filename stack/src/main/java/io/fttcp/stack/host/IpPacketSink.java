package io.fttcp.stack.host;

import java.nio.ByteBuffer;

/**
 * A consumer of IPv4 packets (position..limit, starting at the IP header). The stack sends
 * through one (the Ethernet interface, or the south-side wrapper in front of it) and is one
 * (for received packets). The buffer is valid only during the call.
 */
@FunctionalInterface
public interface IpPacketSink {
    void accept(ByteBuffer packet, long now);
}
