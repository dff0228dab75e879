package io.fttcp.replication.codec;

/**
 * Which end of a replication connection a peer is: a primary sends records; a backup holds them
 * (or, after a crash, fetches them from a logger); a logger stores them durably and serves them.
 */
public enum Role {
    PRIMARY(1), BACKUP(2), LOGGER(3);

    private final int code;

    Role(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The role with this code, or null. */
    public static Role of(int code) {
        for (Role r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        return null;
    }
}
