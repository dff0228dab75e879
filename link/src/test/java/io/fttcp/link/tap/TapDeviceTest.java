package io.fttcp.link.tap;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Checks that need no device (so no privileges and no traffic). */
class TapDeviceTest {
    @Test
    void rejectsInvalidNamesBeforeTouchingTheKernel() {
        for (String bad : new String[] {null, "", "a-name-longer-than-15"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TapDevice.open(bad));
            assertTrue(e.getMessage().contains("1..15"), e.getMessage());
        }
    }

    @Test
    void libcIsReachableAndErrnoIsCaptured() {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var errno = LinuxCalls.newErrnoState(arena);
            assertEquals(-1, LinuxCalls.close(errno, -1));
            assertEquals(LinuxCalls.EBADF, LinuxCalls.errno(errno));
            assertEquals("Bad file descriptor", LinuxCalls.strerror(LinuxCalls.EBADF));
        }
    }
}
