package io.fttcp.stack.runtime;

import java.util.concurrent.locks.ReentrantLock;

/**
 * What the socket layer needs from the runtime around a host: the host's lock, the current
 * time, and a way to say "a deadline may have moved earlier" after touching the host.
 */
public interface HostLoop {
    /** The lock that guards all of the host's state; held during every call into it. */
    ReentrantLock lock();

    /** Current time in nanoseconds (monotonic; virtual in the simulation). */
    long now();

    /** Called with the lock held after any call that may have armed an earlier timer. */
    void timersChanged();

    /** True if calls may block (threads exist); false in the single-threaded simulation. */
    boolean blockingAllowed();
}
