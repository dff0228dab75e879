package io.fttcp.replication.record;

import io.fttcp.stack.tcp.FourTuple;

/**
 * write() on {@code connection} accepted {@code count} bytes starting at stream offset
 * {@code offset} (bytes the application wrote before, from 0).
 *
 * @param hash a hash of the bytes (for divergence detection on the backup), 0 when hashing is off
 */
public record Write(FourTuple connection, long offset, int count, long hash) implements Record {
}
