/**
 * Takeover (DESIGN.md section 4): turning what the backup learned from the primary's records
 * into live connections of its own stack through the repair API. The north-side wrapper's
 * {@link io.fttcp.wrappers.nsw.ReplayNetwork} follows each connection from the records (its
 * {@link io.fttcp.wrappers.nsw.ConnectionImage} is the one source of truth); {@link
 * io.fttcp.roles.takeover.Materializer} builds the connection's checkpoint from that image.
 */
package io.fttcp.roles.takeover;
