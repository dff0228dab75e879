package io.fttcp.link.tap;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of a {@link TapDevice}; readable from any thread. */
public final class TapStats {
    final AtomicLong framesRead = new AtomicLong();
    final AtomicLong framesWritten = new AtomicLong();
    final AtomicLong readErrors = new AtomicLong();
    final AtomicLong writeErrors = new AtomicLong();
    final AtomicLong droppedShortReads = new AtomicLong();
    final AtomicLong droppedTooLarge = new AtomicLong();
    final AtomicLong droppedClosed = new AtomicLong();
    final AtomicLong droppedPastDeadline = new AtomicLong();
    final AtomicLong sendsWaitedForRoom = new AtomicLong();
    final AtomicLong receiverErrors = new AtomicLong();
    final AtomicLong partialChecksumFrames = new AtomicLong();
    final AtomicLong gsoFramesRead = new AtomicLong();

    public long framesRead() { return framesRead.get(); }
    public long framesWritten() { return framesWritten.get(); }
    /** read(2) failures other than EINTR/EAGAIN. */
    public long readErrors() { return readErrors.get(); }
    /** write(2) failures (e.g. the device went away); the frame is lost. */
    public long writeErrors() { return writeErrors.get(); }
    /** Reads shorter than the virtio-net header. */
    public long droppedShortReads() { return droppedShortReads.get(); }
    /** Frames handed to send that exceed the device's largest frame. */
    public long droppedTooLarge() { return droppedTooLarge.get(); }
    /** Frames handed to send after close. */
    public long droppedClosed() { return droppedClosed.get(); }
    /** Frames the writer took after their deadline (a primary's lease ran out while they were queued): not written. */
    public long droppedPastDeadline() { return droppedPastDeadline.get(); }
    /** Sends that found the transmit ring full and waited for the writer. */
    public long sendsWaitedForRoom() { return sendsWaitedForRoom.get(); }
    /** Exceptions thrown by the receiver (caught so the reader keeps running). */
    public long receiverErrors() { return receiverErrors.get(); }
    /** Received frames whose checksum the kernel left partial (NEEDS_CSUM). */
    public long partialChecksumFrames() { return partialChecksumFrames.get(); }
    /** Received GSO frames (larger than the MTU, to be treated as one big segment). */
    public long gsoFramesRead() { return gsoFramesRead.get(); }

    @Override
    public String toString() {
        return "TapStats[read=" + framesRead + " written=" + framesWritten + " readErrors=" + readErrors
                + " writeErrors=" + writeErrors + " shortReads=" + droppedShortReads + " tooLarge=" + droppedTooLarge
                + " closed=" + droppedClosed + " pastDeadline=" + droppedPastDeadline
                + " waitedForRoom=" + sendsWaitedForRoom + " receiverErrors=" + receiverErrors
                + " partialCsum=" + partialChecksumFrames + " gsoRead=" + gsoFramesRead + "]";
    }
}
