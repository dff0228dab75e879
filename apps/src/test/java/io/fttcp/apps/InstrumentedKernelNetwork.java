package io.fttcp.apps;

import io.fttcp.api.AppRuntime;
import io.fttcp.api.ListeningSocket;
import io.fttcp.api.Network;
import io.fttcp.api.PollKey;
import io.fttcp.api.Pollable;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;
import io.fttcp.api.kernel.KernelNetwork;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The kernel's sockets, with its pollers' polls counted, accepts that fail on demand and a runtime
 * of the test's choosing (what a backup's replayed clock and seeds look like to the application).
 */
public final class InstrumentedKernelNetwork implements Network {

    private final KernelNetwork kernel = new KernelNetwork();
    private final AppRuntime runtime;
    /** Polls made so far by every poller of this network. */
    public final AtomicLong polls = new AtomicLong();
    /** This many of the next accepts fail (as when the process is out of file descriptors). */
    public final AtomicInteger failingAccepts = new AtomicInteger();

    /** With the machine's clock and seeds. */
    public InstrumentedKernelNetwork() {
        this(AppRuntime.system());
    }

    public InstrumentedKernelNetwork(AppRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public ListeningSocket listen(InetSocketAddress local, int backlog) throws IOException {
        return new FailingListener(kernel.listen(local, backlog));
    }

    @Override
    public StreamSocket connect(InetSocketAddress remote) throws IOException {
        return kernel.connect(remote);
    }

    @Override
    public StreamSocket openConnection(InetSocketAddress remote) throws IOException {
        return kernel.openConnection(remote);
    }

    @Override
    public AppRuntime runtime() {
        return runtime;
    }

    @Override
    public Poller openPoller() throws IOException {
        Poller poller = kernel.openPoller();
        return new Poller() {
            @Override
            public PollKey register(Pollable socket, int interestOps, Object attachment) throws IOException {
                return poller.register(socket instanceof FailingListener f ? f.listener : socket, interestOps, attachment);
            }

            @Override
            public int poll(Duration timeout) throws IOException {
                polls.incrementAndGet();
                return poller.poll(timeout);
            }

            @Override
            public Set<PollKey> readyKeys() {
                return poller.readyKeys();
            }

            @Override
            public void wakeup() {
                poller.wakeup();
            }

            @Override
            public void close() throws IOException {
                poller.close();
            }
        };
    }

    private final class FailingListener implements ListeningSocket {
        private final ListeningSocket listener;

        FailingListener(ListeningSocket listener) {
            this.listener = listener;
        }

        @Override
        public StreamSocket accept() throws IOException {
            if (failingAccepts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IOException("Too many open files (injected)");
            }
            return listener.accept();
        }

        @Override
        public InetSocketAddress localAddress() {
            return listener.localAddress();
        }

        @Override
        public void configureBlocking(boolean blocking) throws IOException {
            listener.configureBlocking(blocking);
        }

        @Override
        public boolean isBlocking() {
            return listener.isBlocking();
        }

        @Override
        public boolean isOpen() {
            return listener.isOpen();
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
