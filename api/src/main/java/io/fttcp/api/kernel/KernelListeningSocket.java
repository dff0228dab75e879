package io.fttcp.api.kernel;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.StreamSocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A {@link ListeningSocket} over a {@link ServerSocketChannel}. */
final class KernelListeningSocket implements ListeningSocket, KernelPollable {

    private final ServerSocketChannel channel;
    private final InetSocketAddress localAddress;

    KernelListeningSocket(ServerSocketChannel channel) throws IOException {
        this.channel = channel;
        this.localAddress = (InetSocketAddress) channel.getLocalAddress();
    }

    @Override
    public StreamSocket accept() throws IOException {
        SocketChannel accepted;
        try {
            accepted = channel.accept();
        } catch (IOException e) {
            throw KernelErrors.translate(e, "accept on " + localAddress);
        }
        if (accepted == null) {
            return null;
        }
        // Accepted sockets start blocking, whatever the listener's mode (java.nio does the same).
        accepted.configureBlocking(true);
        return new KernelStreamSocket(accepted, (InetSocketAddress) accepted.getRemoteAddress());
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public SelectableChannel channel() {
        return channel;
    }

    @Override
    public String toString() {
        return "kernel listener " + localAddress;
    }
}
