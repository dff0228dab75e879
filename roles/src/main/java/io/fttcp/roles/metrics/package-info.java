/**
 * What the roles report of themselves as numbers ({@link io.fttcp.roles.metrics.Reading}): the
 * status line's counters, for a monitoring system to scrape. The roles only say the numbers; the
 * command line serves them.
 */
package io.fttcp.roles.metrics;
