package io.fttcp.wrappers.ssw;

import java.nio.ByteBuffer;

/**
 * How the wrapper hands a received packet to the stack: with the link's word on its checksums
 * (receive offload: a partial checksum from a local sender, or one the device verified), which
 * the stack needs too, e.g. {@code (p, trusted, now) -> { host.codec().markChecksumVerified(trusted); host.accept(p, now); }}.
 */
@FunctionalInterface
public interface StackInput {
    void accept(ByteBuffer packet, boolean checksumTrusted, long now);
}
