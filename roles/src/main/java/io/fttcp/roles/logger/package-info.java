/**
 * The logger of message-logging FT-TCP (DESIGN.md §5): {@link io.fttcp.roles.logger.LoggerHost}
 * accepts the record streams of one or more primaries, appends each to its durable log
 * ({@link io.fttcp.replication.log.RecordLog}, one directory per cluster), acknowledges what is
 * stored as the fsync policy says, and serves a recovering server the records of the live
 * connections once the old primary is gone. A primary back from serving unprotected re-joins
 * with a catch-up, stored as a new generation of its cluster's log ({@link io.fttcp.roles.logger.LogGenerations}).
 * In memory the logger keeps only what retention decides by ({@link io.fttcp.roles.logger.RetainedIndex});
 * a recovery's records are read back from the log as they are sent ({@link io.fttcp.roles.logger.LogCatchUp}).
 */
package io.fttcp.roles.logger;
