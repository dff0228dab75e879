package io.fttcp.replication.channel;

import io.fttcp.replication.stream.RecordStream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.locks.LockSupport;

/**
 * The thread that writes a {@link RecordStream}'s batches to a channel (a primary's records, or
 * a logger's fetch): writes while frames are unsent and the in-flight window has room, parks
 * otherwise; appends, acknowledgements and the channel's ticker wake it. A pending heartbeat goes
 * between batches, so it never waits behind more than one batch.
 */
final class StreamSender {
    private final ReplicationChannel channel;
    private final RecordStream stream;
    private final ByteBuffer out;
    private final int maxInFlightBytes;
    private volatile Thread thread;

    /** The stream is guarded by its own monitor. */
    StreamSender(ReplicationChannel channel, RecordStream stream, ChannelConfig config) {
        this.channel = channel;
        this.stream = stream;
        this.maxInFlightBytes = config.maxInFlightBytes();
        this.out = ByteBuffer.allocateDirect(config.maxBatchBytes() + config.maxBodyLength() + 64);
    }

    void start(String name) {
        // Known before it runs: a close racing with the start must find the thread to wake, or
        // the sender, having seen the channel open, parks for good (a test caught it left behind).
        Thread t = channel.unstarted(name, this::run);
        thread = t;
        t.start();
    }

    void wake() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private void run() {
        try {
            while (!channel.isClosed()) {
                if (channel.isConnected()) {
                    channel.writeLock.lock();
                    try {
                        while (!channel.isClosed()) {
                            channel.sendPendingHeartbeat();
                            out.clear();
                            int n;
                            synchronized (stream) {
                                // Past the window, wait for acknowledgements (each one that frees some wakes this thread).
                                n = stream.inFlightBytes() < maxInFlightBytes ? stream.writeBatch(out) : 0;
                            }
                            if (n == 0) {
                                break;
                            }
                            channel.writeFully(out.flip());
                        }
                    } finally {
                        channel.writeLock.unlock();
                    }
                }
                // Checked again right before parking: the close's wake-up may have been spent inside
                // writeLock.lock() (its own parking takes the permit), and the sender then parked for good.
                if (channel.isClosed()) {
                    break;
                }
                LockSupport.park(this);
            }
        } catch (ClosedChannelException e) {
            if (!channel.isClosed()) {
                channel.failWith(CloseReason.Kind.FAILED, "socket closed under the sender", e);
            }
        } catch (IOException e) {
            channel.failWith(CloseReason.Kind.PEER_CLOSED, "sending records to " + channel.peer + " failed: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            channel.failWith(CloseReason.Kind.FAILED, "sender failed: " + e, e);
        }
    }
}
