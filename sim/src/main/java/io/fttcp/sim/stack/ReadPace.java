package io.fttcp.sim.stack;

import java.nio.ByteBuffer;

/**
 * How fast an application reads: at most {@code bytes} between pauses of {@code pauseNanos}
 * (unbounded until {@link #set}). A reader slower than its peer's sending fills its receive
 * buffer, and its window closes. The application asks before each read, counts what it read, and
 * schedules its own resumption.
 */
public final class ReadPace {
    private long quota = Long.MAX_VALUE, pause, sincePause;
    private boolean pausing;

    public void set(int bytes, long pauseNanos) {
        if (bytes < 1 || pauseNanos < 1) throw new IllegalArgumentException("a read pace needs bytes and a pause: " + bytes + ", " + pauseNanos);
        quota = bytes;
        pause = pauseNanos;
    }

    /** Whether reading must wait for {@link #resumed}. */
    public boolean pausing() {
        return pausing;
    }

    /** Limits {@code dst} to what may be read before the next pause. */
    public void limit(ByteBuffer dst) {
        if (quota - sincePause < dst.remaining()) dst.limit(dst.position() + (int) (quota - sincePause));
    }

    /** Counts {@code n} bytes read; returns how long to pause now (then call {@link #resumed}), or 0 to read on. */
    public long consumed(int n) {
        sincePause += n;
        if (sincePause < quota) return 0;
        pausing = true;
        return pause;
    }

    public void resumed() {
        pausing = false;
        sincePause = 0;
    }
}
