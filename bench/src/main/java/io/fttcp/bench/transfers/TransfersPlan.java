package io.fttcp.bench.transfers;

/**
 * What {@code ./fttcp bench transfers} runs.
 *
 * @param service   the server: unprotected on the stack, primary with a backup, or primary with a logger
 * @param upload    uploads (PUT, the server answers their sha256) instead of downloads
 * @param bytes     bytes of each transfer
 * @param warmups   uncounted transfers first
 * @param measured  measured transfers
 * @param fsync     the logger's fsync policy (logger only)
 */
public record TransfersPlan(Service service, boolean upload, long bytes, int warmups, int measured, String fsync) {
    /** The server a plan measures. */
    public enum Service { UNPROTECTED, BACKUP, LOGGER }

    public TransfersPlan {
        if (service == null || bytes < 1 || warmups < 0 || measured < 1 || fsync == null
                || !(fsync.equals("never") || fsync.equals("batch") || fsync.equals("always"))) {
            throw new IllegalArgumentException("invalid transfers plan: " + service + ", " + bytes + " B, " + warmups + " + " + measured
                    + " transfers, fsync " + fsync);
        }
    }
}
