package io.fttcp.link.ethernet;

import java.time.Duration;

/**
 * Settings of an {@link EthernetInterface}. The IPv4 addresses are not here: they change at
 * runtime (takeover adds the service address).
 *
 * @param mac                         our MAC address (it can also be changed later)
 * @param prefixLength                subnet prefix length (24 for a 255.255.255.0 netmask)
 * @param gateway                     next hop for off-subnet destinations; 0 for none (then such packets are dropped)
 * @param arpCacheEntries             bound on learned neighbours
 * @param arpEntryTtl                 how long a learned mapping is used without re-confirmation
 * @param arpRefreshBefore            how long before expiry a mapping in use is re-confirmed by a new request
 * @param arpRetryInterval            time between ARP requests for an unresolved destination
 * @param arpMaxRequests              requests sent before giving up on a destination
 * @param pendingPacketsPerDestination packets held while a destination resolves (oldest dropped beyond)
 * @param pendingBytesPerDestination  ... and bytes: a takeover resumes every connection of a client
 *                                    at once, each with its retransmission and its ACKs, before the
 *                                    new primary has learned the client's MAC
 * @param maxPendingDestinations      destinations resolving at once (packets for more are dropped)
 * @param maxPacketLength             largest outgoing IP packet (above the MTU only for GSO)
 */
public record EthernetConfig(
        MacAddress mac,
        int prefixLength,
        int gateway,
        int arpCacheEntries,
        Duration arpEntryTtl,
        Duration arpRefreshBefore,
        Duration arpRetryInterval,
        int arpMaxRequests,
        int pendingPacketsPerDestination,
        int pendingBytesPerDestination,
        int maxPendingDestinations,
        int maxPacketLength) {

    public EthernetConfig {
        if (mac == null || mac.isMulticast()) {
            throw new IllegalArgumentException("interface MAC must be a unicast address, got " + mac);
        }
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length must be 0..32, got " + prefixLength);
        }
        if (arpCacheEntries < 1 || arpMaxRequests < 1 || pendingPacketsPerDestination < 1 || pendingBytesPerDestination < 1
                || maxPendingDestinations < 1) {
            throw new IllegalArgumentException("ARP bounds must be positive: " + arpCacheEntries + "/" + arpMaxRequests
                    + "/" + pendingPacketsPerDestination + "/" + maxPendingDestinations);
        }
        if (maxPacketLength < 20 || maxPacketLength > 65535) {
            throw new IllegalArgumentException("max packet length must be 20..65535, got " + maxPacketLength);
        }
    }

    /**
     * Defaults: 256 neighbours, 60 s entries re-confirmed in their last 10 s, 3 requests 1 s apart,
     * up to 4,096 packets or 4 MiB held per destination. (16 packets were too few: a takeover that
     * restored a client's live download and two lingering connections of its sent their resuming
     * ACKs after the download's retransmission, and the held queue dropped the retransmission;
     * the download then waited for its 1 s retransmission timeout.)
     */
    public static EthernetConfig defaults(MacAddress mac, int prefixLength) {
        return new EthernetConfig(mac, prefixLength, 0, 256, Duration.ofSeconds(60), Duration.ofSeconds(10),
                Duration.ofSeconds(1), 3, 4096, 4 << 20, 64, 65535);
    }

    public int netmask() {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public EthernetConfig withGateway(int gatewayAddress) {
        return new EthernetConfig(mac, prefixLength, gatewayAddress, arpCacheEntries, arpEntryTtl, arpRefreshBefore,
                arpRetryInterval, arpMaxRequests, pendingPacketsPerDestination, pendingBytesPerDestination, maxPendingDestinations, maxPacketLength);
    }

    public EthernetConfig withArpCacheEntries(int entries) {
        return new EthernetConfig(mac, prefixLength, gateway, entries, arpEntryTtl, arpRefreshBefore,
                arpRetryInterval, arpMaxRequests, pendingPacketsPerDestination, pendingBytesPerDestination, maxPendingDestinations, maxPacketLength);
    }

    public EthernetConfig withArpTiming(Duration ttl, Duration refreshBefore, Duration retryInterval, int maxRequests) {
        return new EthernetConfig(mac, prefixLength, gateway, arpCacheEntries, ttl, refreshBefore,
                retryInterval, maxRequests, pendingPacketsPerDestination, pendingBytesPerDestination, maxPendingDestinations, maxPacketLength);
    }

    public EthernetConfig withPendingLimits(int packetsPerDestination, int destinations) {
        return new EthernetConfig(mac, prefixLength, gateway, arpCacheEntries, arpEntryTtl, arpRefreshBefore,
                arpRetryInterval, arpMaxRequests, packetsPerDestination, pendingBytesPerDestination, destinations, maxPacketLength);
    }

    public EthernetConfig withPendingBytes(int bytesPerDestination) {
        return new EthernetConfig(mac, prefixLength, gateway, arpCacheEntries, arpEntryTtl, arpRefreshBefore,
                arpRetryInterval, arpMaxRequests, pendingPacketsPerDestination, bytesPerDestination, maxPendingDestinations, maxPacketLength);
    }
}
