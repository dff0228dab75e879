package io.fttcp.roles.logger;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The directory name of a cluster's log: the cluster id itself when it is a plain name
 * (letters, digits, '.', '_', '-', not starting with '.'), otherwise "x-" and its UTF-8 in hex,
 * so that no id can name a path outside the logger's directory. An id that is not plain fits the
 * file system's 255-byte names up to 126 UTF-8 bytes; a longer one is refused at its handshake
 * (its log cannot be created).
 */
final class ClusterDirectory {
    private static final String HEX_PREFIX = "x-";

    private ClusterDirectory() {}

    static String nameOf(String cluster) {
        // Up to 255 characters, as every file system takes (and as a handshake allows): a longer cap
        // hexed plain ids of 127 characters and more past that, so they could not be logged at all.
        if (cluster.matches("[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}") && !cluster.startsWith(HEX_PREFIX)) return cluster;
        return HEX_PREFIX + HexFormat.of().formatHex(cluster.getBytes(StandardCharsets.UTF_8));
    }

    /** The cluster a directory holds, or null if the name is not one {@link #nameOf} makes. */
    static String clusterOf(String directoryName) {
        if (directoryName.startsWith(HEX_PREFIX)) {
            try {
                String id = new String(HexFormat.of().parseHex(directoryName.substring(HEX_PREFIX.length())), StandardCharsets.UTF_8);
                return nameOf(id).equals(directoryName) ? id : null;
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return nameOf(directoryName).equals(directoryName) ? directoryName : null;
    }
}
