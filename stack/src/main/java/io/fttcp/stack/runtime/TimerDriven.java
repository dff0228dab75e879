package io.fttcp.stack.runtime;

/** A sans-I/O component with timers: it says when it next needs {@link #onTimer}, and is called then. */
public interface TimerDriven {
    /** When {@link #onTimer} must next be called; {@link Long#MAX_VALUE} if never. */
    long nextDeadline();

    /** Runs what is due at {@code now}. Calling it early is harmless. */
    void onTimer(long now);
}
