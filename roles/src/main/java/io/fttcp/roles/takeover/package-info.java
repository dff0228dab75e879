/**
 * Takeover (DESIGN.md section 4): turning what the backup learned from the primary's records
 * into live connections of its own stack through the repair API. {@link
 * io.fttcp.roles.takeover.ClientHistory} follows one connection's client side from the SSW's
 * records; {@link io.fttcp.roles.takeover.Materializer} builds the connection's checkpoint from
 * it and from the backup application's output.
 */
package io.fttcp.roles.takeover;
