package io.fttcp.wrappers.nsw;

import io.fttcp.stack.tcp.FourTuple;

/** Told when the backup's application wrote different bytes than the primary's on a connection (DESIGN.md promise 4). */
@FunctionalInterface
public interface DivergenceListener {

    /** Called once per connection, from the application thread that wrote; must not block. */
    void diverged(FourTuple connection, String reason);
}
