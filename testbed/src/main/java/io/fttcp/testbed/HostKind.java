package io.fttcp.testbed;

/** What a host namespace is for, which decides how it is wired. */
public enum HostKind {
    /** Kernel TCP only: its address sits on its uplink veth (eth0). */
    CLIENT,
    /**
     * A server machine: bridge br0 joins the uplink (eth0) and a persistent TAP device (tap0);
     * the kernel's own address sits on br0, the user-space stack opens tap0 and owns other
     * addresses (the service address) with its own MAC.
     */
    SERVER
}
