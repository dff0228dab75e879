package io.fttcp.roles.primary;

import io.fttcp.replication.channel.ChannelConfig;
import io.fttcp.replication.channel.ChannelListener;
import io.fttcp.replication.channel.PrimaryChannel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Logger mode: one attempt to give a primary's records to the logger. The logger's answer says
 * what it holds and the stream resends from there; a logger that lacks records this primary
 * dropped as stable (it served unprotected meanwhile) answers that it holds nothing, and gets a
 * catch-up of the live connections' records first ({@link ReplicationLog#retainedThrough}).
 *
 * <p>A primary serving unprotected switches to a stream that keeps records for the logger
 * ({@link ReplicationLog#streamForJoiner}) only once the TCP connection is made: while the
 * logger cannot even be reached, clients are not held for it.
 */
final class LoggerDial {
    private LoggerDial() {}

    /**
     * @return the channel, now the one that protects (or will protect, once it acknowledges) the
     *         primary's records; null if the primary takes no logger now (stepped down, or
     *         already protected)
     * @throws IOException the logger could not be reached, or the handshake not sent
     */
    static PrimaryChannel attempt(InetSocketAddress logger, Duration connectTimeout, ChannelConfig config, long epoch, ReplicationLog log,
                                  ChannelListener events) throws IOException {
        PrimaryChannel channel = PrimaryChannel.connect(logger, null, connectTimeout, config, epoch,
                () -> log.streamForJoiner(System.nanoTime()), log::retainedThrough, events);
        if (!log.protectedBy(channel)) {
            channel.close();
            return null;
        }
        return channel;
    }
}
