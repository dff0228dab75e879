package io.fttcp.roles.logger;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test opened (loggers, channels, sockets, logs), closed after it, last opened first.
 * Register it as a field with {@code @RegisterExtension}.
 */
public final class ClosedAfterEach implements AfterEachCallback {
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** Closes {@code c} after the test; returns it. */
    public <T extends AutoCloseable> T add(T c) {
        opened.add(c);
        return c;
    }

    /** Closes everything added so far, now (a test that reads what the closed parts left on disk). */
    public void closeAll() throws Exception {
        for (AutoCloseable c : opened.reversed()) c.close();
        opened.clear();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        closeAll();
    }
}
