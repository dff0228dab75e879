package io.fttcp.roles;

/**
 * What a replica's process does when asked to stop (SIGTERM, Ctrl-C): the loss of a primary's
 * process is what the service is there to survive, and a stop is the commonest such loss
 * (systemd, a container runtime, an operator's {@code kill}).
 */
public enum StopAction {
    /**
     * Another process can carry the connections on (the backup takes over; in logger mode a
     * standby, or this host's restart in place, recovers them from the logger; or another replica
     * owns them already): exit at once, closing nothing, as a crash would. Everything this primary
     * emitted was stable, so what it leaves is whole.
     */
    HAND_OVER,
    /** Nobody could (serving unprotected, or {@code replication.on-stop = close}): the application closes them gracefully, then the host stops. */
    CLOSE,
    /** Not serving (a backup or standby replaying): stop the host at once (a backup tells its primary, which serves on unprotected). */
    LEAVE
}
