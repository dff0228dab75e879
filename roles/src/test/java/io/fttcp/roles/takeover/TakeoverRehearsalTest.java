package io.fttcp.roles.takeover;

import io.fttcp.stack.host.HostConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class TakeoverRehearsalTest {
    /** The rehearsal must run on the settings the backup's stack has: with and without TAP offloads. */
    @Test
    void rehearsesWithAndWithoutOffloadsQuickly() {
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), () -> {
            TakeoverRehearsal.run(HostConfig.defaults(1, 2), 500);
            TakeoverRehearsal.run(HostConfig.defaults(3, 4).withOffload(62 * 1024, true), 500);
        });
    }
}
