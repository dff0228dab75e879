package io.fttcp.roles.config;

import io.fttcp.link.ethernet.MacAddress;
import io.fttcp.replication.channel.ChannelConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A protected service, as both its primary and its backup run it.
 *
 * @param serviceAddress     the address clients connect to (IPv4 as int), owned by whichever replica is primary
 * @param servicePorts       protected TCP ports of that address
 * @param serviceMac         the MAC that answers for the service address (VRRP-style virtual MAC by default)
 * @param prefixLength       subnet prefix of the service address
 * @param tapDevice          the TAP device the user-space stack runs on
 * @param offloads           use the TAP's checksum and segmentation offloads
 * @param primaryAddress     the primary host's own (kernel) address: replication listens there
 * @param replicationPort    TCP port of the replication channel
 * @param channel            replication identity and timings (heartbeat, detection timeout, lease)
 * @param awaitBackup        how long a starting primary holds clients waiting for its first backup before it
 *                           serves unprotected (0: serve unprotected at once unless a backup is already there)
 * @param app                the application both replicas run
 * @param appRoot            HTTP: directory served, or null
 * @param appUploadDir       HTTP: where uploads are stored, or null (hashed and discarded)
 * @param outputHashing      log a hash of every write so the backup detects divergence
 */
public record FtConfig(int serviceAddress, List<Integer> servicePorts, MacAddress serviceMac, int prefixLength,
                       String tapDevice, boolean offloads, int primaryAddress, int replicationPort,
                       ChannelConfig channel, Duration awaitBackup, App app, Path appRoot, Path appUploadDir, boolean outputHashing) {
    public enum App { http, echo }

    public FtConfig {
        servicePorts = List.copyOf(servicePorts);
    }
}
