package io.fttcp.roles.sim;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.StreamSocket;
import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.wrappers.nsw.ConnectionImage;
import io.fttcp.wrappers.nsw.ReplayNetwork;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The hot backup's application: the service, run on the backup's north-side wrapper
 * ({@link ReplayNetwork}) fed with every record the backup receives, one {@link BackupService}
 * per accepted connection. The simulation has one thread, so nothing may block: the
 * application accepts only when an ACCEPT record is there and replays each connection's READ
 * and WRITE records as they arrive. At {@link #takeOver} it consumes every logged determinant,
 * the wrapper goes live through the binding, and diverged connections are reset.
 */
final class BackupApplication {
    private final ReplayNetwork replay;
    private final ListeningSocket listener;
    private final Function<FourTuple, Transfers.Plan> plans;
    private final Predicate<FourTuple> nondeterministic;
    private final Function<FourTuple, Long> loggedClientBytes;
    private final Map<FourTuple, ArrayDeque<Record>> determinants = new HashMap<>();
    private final Map<FourTuple, Long> connectLsn = new HashMap<>();
    private final Map<FourTuple, Connect> connects = new HashMap<>();
    final TimestampClocks clocks = new TimestampClocks();
    /** Connections the wrapper had forgotten as finished, restored in TIME-WAIT at takeover. */
    private final Map<FourTuple, BackupService> services = new LinkedHashMap<>();
    final Map<FourTuple, String> diverged = new LinkedHashMap<>();
    /** The connections known when the catch-up was found incomplete (none restored), in CONNECT order. */
    final java.util.Set<FourTuple> knownWhenIncomplete = new java.util.LinkedHashSet<>();
    private final List<ConnectionImage> divergedImages = new ArrayList<>();
    private int acceptsPending;
    private boolean live;
    private String failure;
    private long records;

    /**
     * @param loggedClientBytes the contiguous client bytes of a connection the backup has received
     * @param nondeterministic  which connections get a copy of the application that writes other bytes
     */
    BackupApplication(int serviceAddress, int port, Function<FourTuple, Transfers.Plan> plans,
                      Function<FourTuple, Long> loggedClientBytes, Predicate<FourTuple> nondeterministic) {
        this.replay = new ReplayNetwork(diverged::put);
        this.plans = plans;
        this.loggedClientBytes = loggedClientBytes;
        this.nondeterministic = nondeterministic;
        try {
            listener = replay.listen(SimStreamSocket.address(serviceAddress, port), 64);
            listener.configureBlocking(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next record received from the primary (LSN order). */
    void apply(long lsn, Record record) {
        records++;
        replay.apply(record);
        switch (record) {
            case Connect c -> {
                connectLsn.put(c.tuple(), lsn);
                connects.put(c.tuple(), c);
                clocks.connect(c);
            }
            case Accept a -> acceptsPending++;
            case Read r -> queue(r.connection()).add(r);
            case Write w -> queue(w.connection()).add(w);
            case Close c -> queue(c.socket()).add(c);
            case Heartbeat h -> clocks.heartbeat(h);
            default -> { }
        }
    }

    private ArrayDeque<Record> queue(FourTuple t) {
        return determinants.computeIfAbsent(t, k -> new ArrayDeque<>());
    }

    /** Accepts what can be accepted and lets every connection's application run as far as it can, now. */
    void pump() {
        try {
            while (live || acceptsPending > 0) {
                StreamSocket s = listener.accept();
                if (s == null) break;
                if (!live) acceptsPending--;
                FourTuple t = serverTuple(s);
                Transfers.Plan plan = plans.apply(t);
                if (plan == null) {
                    failure = "the backup accepted " + t + ", a connection no client opened";
                    continue;
                }
                services.put(t, new BackupService(t, s, plan, queue(t), () -> loggedClientBytes.apply(t), nondeterministic.test(t), live));
            }
        } catch (IOException e) {
            if (failure == null) failure = "accept failed on the backup: " + e;
        }
        for (BackupService s : services.values()) s.pump();
    }

    private static FourTuple serverTuple(StreamSocket s) {
        return new FourTuple(SimStreamSocket.address(s.localAddress()), s.localAddress().getPort(),
                SimStreamSocket.address(s.remoteAddress()), s.remoteAddress().getPort());
    }

    /**
     * DESIGN.md §4: the application consumes every determinant received (step 1), the wrapper
     * goes live, materializing every connection (step 2, with the binding, which also resumes
     * them: step 4); the diverged connections ({@link #divergedImages}) are left to the takeover,
     * which resets their clients (promise 4). The service address must already be the backup's (step 3).
     */
    void takeOver(SimLiveBinding binding) throws IOException {
        pump();
        // Every determinant is consumed; those of a connection whose calls failed (its output
        // diverged: the wrapper refuses its later writes, and the application gave it up) are
        // dropped by the wrapper, not left for the takeover's drain to wait for.
        int pending = replay.pendingDeterminants();
        if (pending != 0 || acceptsPending != 0) {
            throw new IllegalStateException("the backup's application left " + pending + " determinants and " + acceptsPending
                    + " accepts unconsumed: " + this);
        }
        replay.goLive(binding);
        live = true;
        for (ConnectionImage image : replay.images()) {
            if (image.diverged()) divergedImages.add(image);
        }
        for (BackupService s : services.values()) s.goLive();
        pump();
    }

    /** The LSN of the connection's CONNECT record, or -1. */
    long connectLsn(FourTuple t) {
        return connectLsn.getOrDefault(t, -1L);
    }

    /**
     * The records are incomplete (the primary was lost before the catch-up was complete) or may
     * be stale (found gone long after it was last heard: StaleCopy): none of the connections
     * known now is restored at takeover; their clients are reset (as BackupHost does).
     */
    void restoreNoneKnownNow(String why) {
        for (ConnectionImage image : replay.images()) knownWhenIncomplete.add(image.tuple());
        replay.restoreNoneKnown(why);
    }

    /** The connections found diverged at takeover (each was reset). */
    List<ConnectionImage> divergedImages() {
        return divergedImages;
    }

    List<ConnectionImage> images() {
        return replay.images();
    }

    String failure() {
        return failure;
    }

    List<BackupService> services() {
        return new ArrayList<>(services.values());
    }

    BackupService service(FourTuple t) {
        return services.get(t);
    }

    long records() {
        return records;
    }

    @Override
    public String toString() {
        return "backup application (" + records + " records, " + acceptsPending + " accepts pending" + (live ? ", live" : "") + "): "
                + services.values() + (diverged.isEmpty() ? "" : ", diverged " + diverged) + (failure != null ? ", FAILED: " + failure : "");
    }
}
