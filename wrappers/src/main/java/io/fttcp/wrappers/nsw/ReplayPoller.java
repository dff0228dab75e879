package io.fttcp.wrappers.nsw;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.PollKey;
import io.fttcp.api.Pollable;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;
import io.fttcp.replication.record.Ready;
import io.fttcp.stack.tcp.FourTuple;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalSelectorException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A poller on the backup: each poll() returns the next logged READY result (whatever its
 * timeout; a poll that timed out on the primary logged an empty result), then, after takeover,
 * polls a live poller on which every registered socket's live counterpart is registered.
 * Live polling is meant for sockets that have finished replaying; a socket still replaying
 * queued records is reported by its live counterpart's readiness. Sockets the live network made
 * after takeover (accepted by a live listener) register as they are.
 */
final class ReplayPoller implements Poller {

    private final ReplayNetwork network;
    private final int number;
    private final ReplayPollerQueue queue;
    private final Map<FourTuple, ReplayPollKey> keys = new HashMap<>();
    private final Set<PollKey> ready = new LinkedHashSet<>();
    private Poller live;
    private boolean closed;

    ReplayPoller(ReplayNetwork network, int number, ReplayPollerQueue queue) {
        this.network = network;
        this.number = number;
        this.queue = queue;
    }

    @Override
    public PollKey register(Pollable socket, int interestOps, Object attachment) throws IOException {
        ReentrantLock lock = network.lock();
        lock.lock();
        try {
            if (closed) {
                throw new ClosedSelectorException();
            }
            FourTuple name = switch (socket) {
                case ReplayStreamSocket s -> s.connection().tuple;
                case ReplayListeningSocket l -> l.name();
                // After takeover, sockets the live network made (accepted or opened since) are live already.
                case LoggingPollable p when network.binding() != null -> p.name();
                case StreamSocket s when network.binding() != null -> SocketNames.connection(s.localAddress(), s.remoteAddress());
                case ListeningSocket l when network.binding() != null -> SocketNames.listener(l.localAddress());
                default -> throw new IllegalSelectorException();
            };
            ReplayPollKey key = keys.get(name);
            if (key == null || !key.isValid() || key.socket() != socket) {
                key = new ReplayPollKey(this, socket, name);
                keys.put(name, key);
            }
            key.interestOps(interestOps);
            key.attach(attachment);
            if (live != null) {
                registerLive(key);
            }
            return key;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int poll(Duration timeout) throws IOException {
        Poller livePoller;
        List<ReplayPollKey> loggedInput;
        ReentrantLock lock = network.lock();
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new ClosedSelectorException();
                }
                Ready record = queue.ready.poll();
                if (record != null) {
                    ready.clear();
                    for (Ready.Entry e : record.ready()) {
                        ReplayPollKey key = keys.get(e.socket());
                        if (key == null || !key.isValid()) {
                            throw new IOException("poller " + number + " is out of step with the primary's: " + e.socket()
                                    + " was ready there but is not registered here");
                        }
                        key.readyOps(e.readyOps());
                        ready.add(key);
                    }
                    return ready.size();
                }
                if (network.binding() != null) {
                    if (live == null) {
                        live = network.openLivePoller(number);
                        for (ReplayPollKey key : keys.values()) {
                            if (key.isValid()) {
                                registerLive(key);
                            }
                        }
                    }
                    livePoller = live;
                    loggedInput = loggedInputReady();
                    break;
                }
                try {
                    queue.changed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while replaying a poll");
                }
            }
        } finally {
            lock.unlock();
        }
        // Logged client bytes the application has not read yet (or the logged end of the stream) are
        // not in the live socket: the replayed socket hands them out itself, so the live poller would
        // never call it readable. Such a socket is ready now, and the live poller is only looked at.
        livePoller.poll(loggedInput.isEmpty() ? timeout : Duration.ZERO);
        lock.lock();
        try {
            ready.clear();
            for (PollKey k : livePoller.readyKeys()) {
                if (k.attachment() instanceof ReplayPollKey key && key.isValid()) {
                    key.readyOps(k.readyOps());
                    ready.add(key);
                }
            }
            livePoller.readyKeys().clear();
            for (ReplayPollKey key : loggedInput) {
                if (!key.isValid()) continue;
                if (ready.contains(key)) key.readyOps(key.readyOps() | Poller.OP_READ);
                else {
                    key.readyOps(Poller.OP_READ);
                    ready.add(key);
                }
            }
            return ready.size();
        } finally {
            lock.unlock();
        }
    }

    /** Keys interested in reading whose replayed socket still holds logged input for the application (lock held). */
    private List<ReplayPollKey> loggedInputReady() {
        List<ReplayPollKey> found = new ArrayList<>();
        for (ReplayPollKey key : keys.values()) {
            if (key.isValid() && (key.interestOps() & Poller.OP_READ) != 0
                    && key.socket() instanceof ReplayStreamSocket s && s.holdsLoggedInput()) {
                found.add(key);
            }
        }
        return found;
    }

    /** Registers {@code key}'s live socket with the live poller (lock held). */
    private void registerLive(ReplayPollKey key) throws IOException {
        Pollable liveSocket = switch (key.socket()) {
            case ReplayStreamSocket s -> s.connection().live;
            case ReplayListeningSocket l -> l.live();
            default -> key.socket(); // a live socket itself
        };
        if (liveSocket != null) {
            liveSocket.configureBlocking(false);
            key.bindLive(live.register(liveSocket, key.interestOps(), key));
        }
    }

    void forget(ReplayPollKey key) {
        keys.remove(key.name(), key);
        ready.remove(key);
    }

    @Override
    public Set<PollKey> readyKeys() {
        return ready;
    }

    @Override
    public void wakeup() {
        Poller l;
        ReentrantLock lock = network.lock();
        lock.lock();
        try {
            l = live;
        } finally {
            lock.unlock();
        }
        if (l != null) {
            l.wakeup(); // before takeover the outcome of the poll is logged, wakeup or not
        }
    }

    ReentrantLock lock() {
        return network.lock();
    }

    @Override
    public void close() throws IOException {
        Poller l;
        ReentrantLock lock = network.lock();
        lock.lock();
        try {
            closed = true;
            queue.changed.signalAll();
            l = live;
        } finally {
            lock.unlock();
        }
        if (l != null) {
            l.close();
        }
    }
}
