package io.fttcp.api;

/** The registration of a socket with a {@link Poller}. */
public interface PollKey {

    Pollable socket();

    int interestOps();

    void interestOps(int ops);

    /** Operations found ready by the last poll. */
    int readyOps();

    Object attachment();

    /** Removes the registration; the poller forgets the socket at its next poll. */
    void cancel();

    boolean isValid();
}
