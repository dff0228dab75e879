package io.fttcp.link;

import java.nio.ByteBuffer;

/** Receives frames from a {@link FrameLink}; the buffer is valid only during the call. */
@FunctionalInterface
public interface FrameReceiver {
    void receive(ByteBuffer frame, long now);
}
