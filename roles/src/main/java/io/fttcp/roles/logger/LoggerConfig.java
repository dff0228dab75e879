package io.fttcp.roles.logger;

import io.fttcp.replication.channel.ChannelConfig;
import io.fttcp.replication.log.LogConfig;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * How a logger runs.
 *
 * @param directory where each cluster's log lives (a subdirectory per cluster id)
 * @param listen    where primaries and recovering servers connect
 * @param log       fsync policy, batch window, segment size
 * @param channel   heartbeat, detection timeout and lease of the channels (the cluster id of each
 *                  channel is its peer's)
 * @param retainEverything keep every record for fetches (applications whose state spans connections);
 *                  by default records of finished connections are dropped
 */
public record LoggerConfig(Path directory, InetSocketAddress listen, LogConfig log, ChannelConfig channel, boolean retainEverything) {
}
