package io.fttcp.wrappers.nsw;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.StreamSocket;
import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Close;
import io.fttcp.stack.tcp.FourTuple;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.locks.ReentrantLock;

/** A listener of the {@link LoggingNetwork}: logs ACCEPT for every accept() result. */
final class LoggingListeningSocket implements ListeningSocket, LoggingPollable {

    private final LoggingNetwork network;
    private final ListeningSocket inner;
    private final FourTuple name;
    /** accept() calls are serialized so ACCEPT records are in the order connections were handed out. */
    private final ReentrantLock acceptLock = new ReentrantLock();

    LoggingListeningSocket(LoggingNetwork network, ListeningSocket inner, FourTuple name) {
        this.network = network;
        this.inner = inner;
        this.name = name;
    }

    @Override
    public FourTuple name() {
        return name;
    }

    @Override
    public ListeningSocket inner() {
        return inner;
    }

    @Override
    public StreamSocket accept() throws IOException {
        acceptLock.lock();
        try {
            StreamSocket socket = inner.accept();
            if (socket == null) {
                network.log(new Accept(name, SocketNames.NO_CONNECTION));
                return null;
            }
            FourTuple connection;
            try {
                connection = SocketNames.connection(socket.localAddress(), socket.remoteAddress());
            } catch (IOException e) {
                socket.close();
                throw e;
            }
            network.log(new Accept(name, connection));
            network.threads().accepted(connection);
            LoggingStreamSocket accepted = new LoggingStreamSocket(network, socket, connection);
            network.accepted(accepted);
            return accepted;
        } finally {
            acceptLock.unlock();
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return inner.localAddress();
    }

    @Override
    public void close() throws IOException {
        if (inner.isOpen()) {
            network.log(new Close(name, Close.How.CLOSE));
        }
        inner.close();
    }

    @Override
    public String toString() {
        return "logging listener " + name;
    }
}
