package io.fttcp.api.kernel;

import io.fttcp.api.PollKey;
import io.fttcp.api.Pollable;
import io.fttcp.api.Poller;

import java.io.IOException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A {@link Poller} over a {@link Selector}. The ready set is rebuilt by every poll (the
 * interface reports what the last poll found), unlike the selector's accumulating set.
 */
final class KernelPoller implements Poller {

    private final Selector selector;
    private final Set<PollKey> readyKeys = new LinkedHashSet<>();

    KernelPoller() throws IOException {
        this.selector = Selector.open();
    }

    @Override
    public PollKey register(Pollable socket, int interestOps, Object attachment) throws IOException {
        if (!(socket instanceof KernelPollable kernelSocket)) {
            throw new IllegalArgumentException("not a kernel socket: " + socket + " (a KernelNetwork poller polls only KernelNetwork sockets)");
        }
        if (socket.isBlocking()) {
            throw new IllegalBlockingModeException();
        }
        SelectionKey existing = kernelSocket.channel().keyFor(selector);
        if (existing != null && existing.isValid()) {
            KernelPollKey key = (KernelPollKey) existing.attachment();
            existing.interestOps(interestOps);
            key.attach(attachment);
            return key;
        }
        KernelPollKey key = new KernelPollKey(socket, attachment);
        key.bind(kernelSocket.channel().register(selector, interestOps, key));
        return key;
    }

    @Override
    public int poll(Duration timeout) throws IOException {
        readyKeys.clear();
        if (timeout.isZero() || timeout.isNegative()) {
            selector.selectNow();
        } else {
            long millis = Math.max(1, saturatedMillis(timeout));
            selector.select(millis);
        }
        Set<SelectionKey> selected = selector.selectedKeys();
        for (SelectionKey key : selected) {
            readyKeys.add((KernelPollKey) key.attachment());
        }
        selected.clear();
        return readyKeys.size();
    }

    private static long saturatedMillis(Duration timeout) {
        try {
            return timeout.toMillis();
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public Set<PollKey> readyKeys() {
        return readyKeys;
    }

    @Override
    public void wakeup() {
        selector.wakeup();
    }

    @Override
    public void close() throws IOException {
        selector.close();
    }
}
