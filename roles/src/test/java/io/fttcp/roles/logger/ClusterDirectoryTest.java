package io.fttcp.roles.logger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** Cluster ids as directory names: plain names as they are, anything else in hex; never a path outside the logger's directory. */
class ClusterDirectoryTest {
    @TempDir
    Path dir;

    private static void assertSafe(String id, String name) {
        assertFalse(name.isEmpty(), id);
        assertFalse(name.startsWith("."), () -> id + " -> " + name);
        assertTrue(name.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '/' && c != '\\'), () -> id + " -> " + name);
        assertEquals(id, ClusterDirectory.clusterOf(name), () -> id + " -> " + name + " does not map back");
    }

    @Test
    void plainNamesAreTheirOwnDirectory() {
        for (String id : List.of("alpha", "svc-1", "a.b_c", "A", "0", "_", "-x", "cluster.prod.eu-west-1")) {
            assertEquals(id, ClusterDirectory.nameOf(id));
            assertSafe(id, id);
        }
    }

    @Test
    void anythingElseIsHex() {
        assertEquals("x-2e2e", ClusterDirectory.nameOf(".."));
        assertEquals("x-2e", ClusterDirectory.nameOf("."));
        assertEquals("x-2e2e2f657463", ClusterDirectory.nameOf("../etc"));
        assertEquals("x-612f62", ClusterDirectory.nameOf("a/b"));
        assertEquals("x-782d3431", ClusterDirectory.nameOf("x-41"), "a plain name with the hex prefix is hexed too, or it would read as another id");
        assertEquals("x-74656e616e742fceb2", ClusterDirectory.nameOf("tenant/β"));
        for (String id : List.of("..", ".", ".hidden", "../etc", "a/b", "a\\b", "a b", "tenant/β", "x-41", "x-", "é", "a\u0000b", "line\nbreak")) {
            assertSafe(id, ClusterDirectory.nameOf(id));
        }
    }

    @Test
    void directoriesItDidNotNameAreNoCluster() {
        for (String name : List.of("lost+found", "x-zz", "x-414", "x-616c706861" /* "alpha" is plain */, "x-2F" /* not its own case */,
                ".", "..", ".snapshot", "a b")) {
            assertNull(ClusterDirectory.clusterOf(name), name);
        }
    }

    /** Seeded: random ids (any code points) map to distinct safe names and back. */
    @Test
    void randomIdsMapToDistinctSafeNamesAndBack() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, String> owners = new HashMap<>();
        int[] alphabet = {'a', 'Z', '0', '.', '-', '_', '/', '\\', ' ', 'x', 0, 0xe9, 0x3b2, 0x1f600, 0x4e2d};
        for (int i = 0; i < 5000; i++) {
            StringBuilder b = new StringBuilder();
            int length = 1 + random.nextInt(40);
            for (int k = 0; k < length; k++) {
                b.appendCodePoint(random.nextInt(4) == 0 ? 1 + random.nextInt(0xd7ff) : alphabet[random.nextInt(alphabet.length)]);
            }
            String id = b.toString();
            String name = ClusterDirectory.nameOf(id);
            assertSafe(id, name);
            String before = owners.putIfAbsent(name, id);
            assertTrue(before == null || before.equals(id), "seed " + seed + ": '" + id + "' and '" + before + "' share " + name);
        }
    }

    /** Every plain id a handshake allows (up to 255 bytes) gets a directory the file system takes. */
    @Test
    void everyPlainIdGetsADirectoryTheFileSystemTakes() throws IOException {
        for (int length = 1; length <= 255; length++) {
            String id = "c".repeat(length);
            String name = ClusterDirectory.nameOf(id);
            assertTrue(name.getBytes(StandardCharsets.UTF_8).length <= 255, "a " + length + "-byte id is named with " + name.length() + " bytes");
            Files.createDirectory(dir.resolve(name));
            assertEquals(id, ClusterDirectory.clusterOf(name));
        }
        // Ids that are not plain fit as hex up to 126 bytes.
        String longest = "/".repeat(126);
        Files.createDirectory(dir.resolve(ClusterDirectory.nameOf(longest)));
    }
}
