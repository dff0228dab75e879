package io.fttcp.replication.channel;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;

/** A listening socket on loopback for each test, closed after it together with what the test gave {@link #closeAfter}. */
final class LoopbackListener implements BeforeEachCallback, AfterEachCallback {
    private ServerSocketChannel server;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        toClose.clear();
        server.close();
    }

    ServerSocketChannel server() {
        return server;
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) server.getLocalAddress();
    }

    int port() throws IOException {
        return address().getPort();
    }

    /** Closes {@code c} after the test (before the listening socket), in the order given. */
    void closeAfter(AutoCloseable c) {
        toClose.add(c);
    }
}
