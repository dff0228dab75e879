package io.fttcp.roles.sim;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.Network;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;
import io.fttcp.wrappers.nsw.ConnectionImage;
import io.fttcp.wrappers.nsw.LiveBinding;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** Records which images the wrapper offers at takeover; restores nothing. */
final class OfferedImages implements LiveBinding {
    @Override
    public void reset(io.fttcp.api.StreamSocket live) {
        throw new AssertionError("nothing is restored here, so nothing is reset");
    }

    final List<ConnectionImage> offered = new ArrayList<>();
    /** The images whose clients the wrapper asked to reset ({@link LiveBinding#resetClient}). */
    final List<ConnectionImage> clientsToReset = new ArrayList<>();

    @Override
    public void resetClient(ConnectionImage image) {
        clientsToReset.add(image);
    }

    @Override
    public Network network() {
        return new Network() {
            @Override
            public ListeningSocket listen(InetSocketAddress local, int backlog) {
                return new ListeningSocket() {
                    @Override
                    public StreamSocket accept() {
                        return null;
                    }

                    @Override
                    public InetSocketAddress localAddress() {
                        return local;
                    }

                    @Override
                    public void configureBlocking(boolean blocking) {
                    }

                    @Override
                    public boolean isBlocking() {
                        return false;
                    }

                    @Override
                    public boolean isOpen() {
                        return true;
                    }

                    @Override
                    public void close() {
                    }
                };
            }

            @Override
            public StreamSocket connect(InetSocketAddress remote) throws IOException {
                throw new IOException("none");
            }

            @Override
            public StreamSocket openConnection(InetSocketAddress remote) throws IOException {
                throw new IOException("none");
            }

            @Override
            public Poller openPoller() throws IOException {
                throw new IOException("none");
            }
        };
    }

    @Override
    public StreamSocket restore(ConnectionImage image) {
        offered.add(image);
        return null;
    }

    @Override
    public boolean restoreUnaccepted(ConnectionImage image, ListeningSocket listener) {
        offered.add(image);
        return false;
    }
}
