package io.fttcp.roles;

import io.fttcp.link.ethernet.MacAddress;
import io.fttcp.stack.host.HostConfig;

import java.util.List;

/**
 * How to run the user-space stack on a TAP device.
 *
 * @param tapDevice    name of the TAP device (it must exist and be up, e.g. on the host's bridge)
 * @param mac          the stack's MAC address (a VRRP-style virtual MAC for a service address)
 * @param addresses    IPv4 addresses the stack owns, as ints (none: a standby that stays silent until given one)
 * @param prefixLength subnet prefix length of those addresses
 * @param offloads     use the TAP's virtio-net offloads (checksum and TCP segmentation)
 * @param host         IP and TCP settings
 */
public record StackHostConfig(String tapDevice, MacAddress mac, List<Integer> addresses, int prefixLength,
                              boolean offloads, HostConfig host) {
    public StackHostConfig {
        if (prefixLength < 1 || prefixLength > 32) throw new IllegalArgumentException("prefix length must be 1..32: " + prefixLength);
        addresses = List.copyOf(addresses);
    }
}
