/**
 * Roles a process plays: today the unprotected {@link io.fttcp.roles.StackHost} (the user-space
 * stack on a TAP device); primary, backup and logger come with replication.
 */
package io.fttcp.roles;
