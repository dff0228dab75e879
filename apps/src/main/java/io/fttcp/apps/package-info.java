/**
 * Applications written only against the socket interface {@code io.fttcp.api}: they run
 * unchanged on the kernel's TCP, on the user-space stack, and protected by the wrappers.
 */
package io.fttcp.apps;
