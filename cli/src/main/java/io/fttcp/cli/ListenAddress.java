package io.fttcp.cli;

import picocli.CommandLine;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Parses {@code ADDR:PORT}, {@code [v6]:PORT} or {@code :PORT} (all addresses) for --listen. */
final class ListenAddress implements CommandLine.ITypeConverter<InetSocketAddress> {

    @Override
    public InetSocketAddress convert(String value) {
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new CommandLine.TypeConversionException("expected ADDR:PORT (for example 0.0.0.0:8080 or :8080), got '" + value + "'");
        }
        String host = value.substring(0, colon);
        String portText = value.substring(colon + 1);
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("port must be a number, got '" + portText + "'");
        }
        if (port < 0 || port > 65535) {
            throw new CommandLine.TypeConversionException("port must be 0..65535, got " + port);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            return new InetSocketAddress(port);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new CommandLine.TypeConversionException("unknown address '" + host + "'");
        }
    }
}
