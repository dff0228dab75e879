/**
 * The logger of message-logging FT-TCP (DESIGN.md §5): {@link io.fttcp.roles.logger.LoggerHost}
 * accepts the record streams of one or more primaries, appends each to its durable log
 * ({@link io.fttcp.replication.log.RecordLog}, one directory per cluster), acknowledges what is
 * stored as the fsync policy says, and serves a recovering server the records of the live
 * connections once the old primary is gone.
 */
package io.fttcp.roles.logger;
