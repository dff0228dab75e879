/**
 * The application-facing socket interface backed by the Linux kernel's TCP through
 * {@code java.nio}: the baseline for benchmarks, and the way applications are tested before
 * (and independently of) the user-space stack.
 */
package io.fttcp.api.kernel;
