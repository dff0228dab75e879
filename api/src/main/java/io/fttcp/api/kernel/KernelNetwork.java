package io.fttcp.api.kernel;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.Network;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** {@link Network} on the kernel's TCP: sockets are {@link SocketChannel}s, pollers are selectors. */
public final class KernelNetwork implements Network {

    @Override
    public ListeningSocket listen(InetSocketAddress local, int backlog) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(local, backlog);
            return new KernelListeningSocket(channel);
        } catch (java.net.BindException e) {
            channel.close();
            java.net.BindException clear = new java.net.BindException("cannot listen on " + local + ": " + e.getMessage());
            clear.initCause(e);
            throw clear;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public StreamSocket connect(InetSocketAddress remote) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.connect(remote);
            return new KernelStreamSocket(channel, remote);
        } catch (IOException e) {
            channel.close();
            throw KernelErrors.translate(e, "connect to " + remote);
        }
    }

    @Override
    public StreamSocket openConnection(InetSocketAddress remote) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.configureBlocking(false);
            channel.connect(remote);
            return new KernelStreamSocket(channel, remote);
        } catch (IOException e) {
            channel.close();
            throw KernelErrors.translate(e, "connect to " + remote);
        }
    }

    @Override
    public Poller openPoller() throws IOException {
        return new KernelPoller();
    }

    @Override
    public String toString() {
        return "kernel TCP";
    }
}
