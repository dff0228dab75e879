package io.fttcp.sim.stack;

import io.fttcp.sim.net.LinkConditions;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.SplittableRandom;

import static io.fttcp.sim.stack.StackWorld.MS;
import static io.fttcp.sim.stack.StackWorld.PORT;
import static io.fttcp.sim.stack.StackWorld.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checks the simulations rely on catch what they are meant to catch. */
class StreamCheckTest {
    @Test
    void patternIsTheSameAtAnyOffsetAndAFlippedByteIsFound() {
        SplittableRandom r = new SplittableRandom(5);
        Pattern pattern = new Pattern(42);
        for (int i = 0; i < 200; i++) {
            long offset = r.nextLong(0, 1L << 40);
            int length = r.nextInt(0, 100);
            ByteBuffer bytes = ByteBuffer.allocate(length);
            pattern.fill(bytes, offset, length);
            bytes.flip();
            for (int k = 0; k < length; k++) {
                assertEquals(pattern.byteAt(offset + k), bytes.get(k), "offset " + offset + " + " + k);
            }
            assertEquals(-1, pattern.firstMismatch(bytes, offset));
            if (length > 0) {
                int flip = r.nextInt(length);
                bytes.put(flip, (byte) (bytes.get(flip) ^ (1 << r.nextInt(8))));
                assertEquals(offset + flip, pattern.firstMismatch(bytes, offset));
            }
        }
        assertTrue(new Pattern(1).byteAt(0) != new Pattern(2).byteAt(0) || new Pattern(1).byteAt(1) != new Pattern(2).byteAt(1),
                "different seeds give different streams");
    }

    /** A server that expects other bytes than the client sends, or more, or fewer. */
    private static BulkEndpoint serverAfterTransfer(long sent, long expectSeed, long expected) {
        StackWorld world = new StackWorld(7);
        Acceptor[] acceptor = new Acceptor[1];
        LinkConditions link = LinkConditions.ideal().withDelay(MS);
        world.addStackHost("server", 1, link, stack -> acceptor[0] = new Acceptor(stack, PORT, 8,
                accepted -> new BulkEndpoint(new Pattern(0), 0, new Pattern(expectSeed), expected)));
        BulkEndpoint client = new BulkEndpoint(new Pattern(1), sent, new Pattern(0), 0);
        world.addStackHost("client", 2, link, stack -> client.open(stack, ip(1), PORT));
        world.sim.runUntil(() -> !acceptor[0].apps().isEmpty() && (acceptor[0].apps().getFirst().failure() != null
                || acceptor[0].apps().getFirst().isClosed()), Duration.ofMinutes(1));
        return (BulkEndpoint) acceptor[0].apps().getFirst();
    }

    @Test
    void intactStreamPasses() {
        BulkEndpoint server = serverAfterTransfer(300_000, 1, 300_000);
        assertNull(server.failure());
        assertTrue(server.isDone());
    }

    @Test
    void wrongBytesAreReported() {
        BulkEndpoint server = serverAfterTransfer(300_000, 2, 300_000);
        assertNotNull(server.failure());
        assertTrue(server.failure().contains("byte 0 "), server.failure());
        assertTrue(!server.isDone());
    }

    @Test
    void shortStreamIsReported() {
        BulkEndpoint server = serverAfterTransfer(300_000, 1, 300_001);
        assertNotNull(server.failure());
        assertTrue(server.failure().contains("end of stream after 300000 of 300001"), server.failure());
    }

    @Test
    void extraBytesAreReported() {
        BulkEndpoint server = serverAfterTransfer(300_001, 1, 300_000);
        assertNotNull(server.failure());
        assertTrue(server.failure().contains("expected only 300000"), server.failure());
    }
}
