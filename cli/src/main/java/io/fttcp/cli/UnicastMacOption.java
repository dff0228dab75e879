package io.fttcp.cli;

import io.fttcp.link.ethernet.MacAddress;
import picocli.CommandLine;

/** Parses a stack's own MAC: a bridge drops every frame from a group (multicast, broadcast) or the all-zero address. */
final class UnicastMacOption implements CommandLine.ITypeConverter<MacAddress> {
    @Override
    public MacAddress convert(String value) {
        MacAddress mac;
        try {
            mac = MacAddress.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException("expected a MAC address like 00:00:5e:00:01:01, got '" + value + "'");
        }
        if (mac.isMulticast() || mac.equals(MacAddress.ZERO)) {
            throw new CommandLine.TypeConversionException("expected a unicast MAC address (first byte even, not all zeros), got '" + value + "'");
        }
        return mac;
    }
}
