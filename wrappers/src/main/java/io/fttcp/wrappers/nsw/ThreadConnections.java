package io.fttcp.wrappers.nsw;

import io.fttcp.replication.record.Clock;
import io.fttcp.stack.tcp.FourTuple;

/**
 * Which connection each application thread is working on: the context of its runtime values
 * (CLOCK and SEED records), so the backup hands each value to the thread working on the same
 * connection. Both wrappers track it the same way, so a deterministic thread gets the same
 * context on both replicas:
 * <ul>
 *   <li>every call on a connection's socket makes that connection the thread's context;</li>
 *   <li>accept() returning a connection does not change the accepting thread's own context
 *       (an accept loop's values stay context-free), but a thread it starts afterwards begins
 *       with that connection as its context, so one thread per connection is scoped from its
 *       first line;</li>
 *   <li>other new threads begin with their starter's context.</li>
 * </ul>
 * Threads sharing a connection (a reader and a writer thread) share its values, in the order
 * they happen to ask.
 */
final class ThreadConnections {

    /** One thread's state; only that thread touches it. */
    private static final class State {
        FourTuple current;
        FourTuple accepted;

        State(FourTuple current) {
            this.current = current;
        }
    }

    private final InheritableThreadLocal<State> states = new InheritableThreadLocal<>() {
        @Override
        protected State initialValue() {
            return new State(Clock.NO_CONTEXT);
        }

        @Override
        protected State childValue(State parent) {
            return new State(parent.accepted != null ? parent.accepted : parent.current);
        }
    };

    /** The calling thread is working on {@code connection}. */
    void use(FourTuple connection) {
        states.get().current = connection;
    }

    /** The calling thread accepted {@code connection}: the next thread it starts works on it. */
    void accepted(FourTuple connection) {
        states.get().accepted = connection;
    }

    /** The calling thread's context ({@link Clock#NO_CONTEXT} if none). */
    FourTuple current() {
        return states.get().current;
    }
}
