package io.fttcp.wrappers.nsw;

import io.fttcp.api.PollKey;
import io.fttcp.api.Pollable;
import io.fttcp.api.Poller;
import io.fttcp.replication.record.Ready;
import io.fttcp.stack.tcp.FourTuple;

import java.io.IOException;
import java.nio.channels.IllegalSelectorException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A poller of the {@link LoggingNetwork}: every poll() is one READY record with the ready
 * sockets and operations in the order returned. Its ready set holds the last poll's keys only
 * (like the stack's poller); the application may remove keys it handled.
 */
final class LoggingPoller implements Poller {

    private final LoggingNetwork network;
    private final Poller inner;
    private final int number;
    private final Set<PollKey> ready = new LinkedHashSet<>();
    private final Map<Pollable, LoggingPollKey> keys = new IdentityHashMap<>();

    LoggingPoller(LoggingNetwork network, Poller inner, int number) {
        this.network = network;
        this.inner = inner;
        this.number = number;
    }

    @Override
    public synchronized PollKey register(Pollable socket, int interestOps, Object attachment) throws IOException {
        if (!(socket instanceof LoggingPollable logging)) throw new IllegalSelectorException();
        Pollable innerSocket = logging.inner();
        FourTuple name = logging.name();
        LoggingPollKey existing = keys.get(socket);
        if (existing != null && existing.isValid()) {
            existing.interestOps(interestOps);
            existing.attach(attachment);
            return existing;
        }
        LoggingPollKey key = new LoggingPollKey(socket, name, attachment);
        key.bind(inner.register(innerSocket, interestOps, key));
        keys.put(socket, key);
        return key;
    }

    @Override
    public int poll(Duration timeout) throws IOException {
        inner.poll(timeout);
        synchronized (this) {
            ready.clear();
            List<Ready.Entry> entries = new ArrayList<>();
            for (PollKey innerKey : inner.readyKeys()) {
                if (innerKey.attachment() instanceof LoggingPollKey key) {
                    key.readyOps(innerKey.readyOps());
                    ready.add(key);
                    entries.add(new Ready.Entry(key.name(), innerKey.readyOps()));
                }
            }
            inner.readyKeys().clear();
            network.log(new Ready(number, entries));
            return ready.size();
        }
    }

    @Override
    public Set<PollKey> readyKeys() {
        return ready;
    }

    @Override
    public void wakeup() {
        inner.wakeup();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
