package io.fttcp.roles.takeover;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.StreamSocket;
import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.wrappers.nsw.ConnectionImage;
import io.fttcp.wrappers.nsw.ReplayNetwork;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The backup side of one protected connection for the tests: a {@link ReplayNetwork} fed with
 * the primary's records, and the backup's application on it, driven by the test thread. The
 * application never blocks: it accepts only once the ACCEPT record is applied, and writes only
 * as many of the applied WRITE records as the test asks.
 */
final class ReplayedConnection {
    final FourTuple tuple;
    final ReplayNetwork replay = new ReplayNetwork((t, why) -> { throw new AssertionError(t + " diverged: " + why); });
    private final ListeningSocket listener;
    private final List<Write> writes = new ArrayList<>();
    private boolean acceptLogged;
    private StreamSocket app;
    private int writesReplayed;

    ReplayedConnection(FourTuple tuple) {
        this.tuple = tuple;
        try {
            listener = replay.listen(new InetSocketAddress(address(tuple.localAddress()), tuple.localPort()), 8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The record naming the accept of {@code tuple} on its listener, as the primary's wrapper logs it. */
    static Accept acceptRecord(FourTuple tuple) {
        return new Accept(new FourTuple(tuple.localAddress(), tuple.localPort(), 0, 0), tuple);
    }

    void apply(Record record) {
        replay.apply(record);
        if (record instanceof Accept a && a.connection().equals(tuple)) acceptLogged = true;
        if (record instanceof Write w && w.connection().equals(tuple)) writes.add(w);
    }

    /** WRITE records applied so far that the application has not replayed. */
    int writesPending() {
        return writes.size() - writesReplayed;
    }

    /**
     * The backup's application replays its next {@code count} writes of {@code output} (its
     * whole output, the same as the primary's), accepting the connection first.
     */
    void appWrites(int count, byte[] output) {
        try {
            for (int i = 0; i < count; i++) {
                Write w = writes.get(writesReplayed++);
                int n = socket().write(ByteBuffer.wrap(output, (int) w.offset(), output.length - (int) w.offset()));
                assertEquals(w.count(), n, "a replayed write accepts the logged count");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The backup's application shuts down its output (a no-op if it never accepted the connection). */
    void appShutsDownOutput() {
        if (!acceptLogged) return;
        try {
            socket().shutdownOutput();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ConnectionImage image() {
        return replay.image(tuple);
    }

    private StreamSocket socket() throws IOException {
        if (app == null) {
            if (!acceptLogged) throw new IllegalStateException("no ACCEPT applied: the application cannot have the connection");
            app = listener.accept();
        }
        return app;
    }

    private static InetAddress address(int a) {
        try {
            return InetAddress.getByAddress(new byte[]{(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
