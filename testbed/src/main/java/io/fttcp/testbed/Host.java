package io.fttcp.testbed;

/**
 * One host of a {@link Topology}: a network namespace attached to the switch by a veth pair.
 *
 * @param name            logical name given when building ("client", "primary", ...)
 * @param kind            client or server wiring
 * @param namespace       the network namespace (for {@code ip netns exec})
 * @param uplink          the host side of its veth pair, inside its namespace ("eth0")
 * @param switchPort      the switch side of its veth pair, inside the switch namespace ("p1", ...)
 * @param kernelAddress   the kernel's IPv4 address in this namespace (198.18.0.x)
 * @param kernelInterface the interface that address sits on (eth0 for clients, br0 for servers)
 * @param tapDevice       the TAP device for the user-space stack ("tap0"), or null for clients
 * @param stackMac        a locally administered MAC the user-space stack may use on tap0, or null for clients
 */
public record Host(String name, HostKind kind, String namespace, String uplink, String switchPort,
                   String kernelAddress, String kernelInterface, String tapDevice, String stackMac) {

    public boolean isServer() {
        return kind == HostKind.SERVER;
    }
}
