package io.fttcp.roles.metrics;

import io.fttcp.link.tap.TapDevice;
import io.fttcp.link.tap.TapStats;

import java.util.List;

/** The TAP device's counters ({@link TapStats}, atomics: read without the host lock) and its health as readings. */
public final class TapReadings {
    private TapReadings() {
    }

    public static List<Reading> of(TapDevice tap) {
        TapStats s = tap.stats();
        return List.of(
                Reading.flag("fttcp_tap_failed", "1 once the TAP's reader or writer stopped by itself (the device went away, or a bug): "
                        + "this host then receives or sends nothing more on it", tap.readFailure() != null || tap.writeFailure() != null),
                Reading.counter("fttcp_tap_frames_read", "Frames read from the TAP device", s.framesRead()),
                Reading.counter("fttcp_tap_frames_written", "Frames written to the TAP device", s.framesWritten()),
                Reading.counter("fttcp_tap_read_errors", "Failed reads of the TAP device", s.readErrors()),
                Reading.counter("fttcp_tap_write_errors", "Failed writes to the TAP device (the frame is lost; TCP recovers it)", s.writeErrors()),
                Reading.counter("fttcp_tap_dropped_past_deadline",
                        "Frames queued while the lease held and taken by the writer after it ran out: not written", s.droppedPastDeadline()),
                Reading.counter("fttcp_tap_sends_waited_for_room", "Sends that found the transmit ring full and waited for the writer",
                        s.sendsWaitedForRoom()),
                Reading.counter("fttcp_tap_dropped_too_large", "Frames larger than the device takes, dropped", s.droppedTooLarge()),
                Reading.counter("fttcp_tap_dropped_closed", "Frames sent after the device closed, dropped", s.droppedClosed()),
                Reading.counter("fttcp_tap_receiver_errors", "Received frames whose handling threw (counted, the reader goes on)", s.receiverErrors()));
    }
}
