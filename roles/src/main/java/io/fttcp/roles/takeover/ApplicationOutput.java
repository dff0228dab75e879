package io.fttcp.roles.takeover;

/**
 * What the backup's application has written on one connection: the bytes from stream offset
 * {@code start} (offset 0 = first byte after our SYN; earlier bytes were acknowledged by the
 * client and dropped), and whether it shut down its output after them.
 */
public record ApplicationOutput(long start, byte[] bytes, boolean shutdown) {
    public long end() {
        return start + bytes.length;
    }
}
