package io.fttcp.replication.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Forces (fdatasync) and closes segment files, in the order asked: inline, in the caller's
 * thread, or on a thread of the log's own so that appending goes on while the disk works. The
 * background thread takes every queued task for the same file at once and forces that file once
 * for all of them (group commit across commits). The owner picks up what is done with
 * {@link #completedLsn()} and {@link #failure()}, and waits for a rolled segment's force
 * ({@link #awaitForced}) before it creates the next.
 */
final class SegmentForcer implements AutoCloseable {
    /**
     * @param force      fdatasync the channel
     * @param closeAfter close the channel once done (the segment was rolled)
     * @param directory  a directory to fsync as well (the segment is new), or null
     * @param lsn        the highest LSN the force makes durable
     */
    record Task(FileChannel channel, boolean force, boolean closeAfter, Path directory, long lsn) {
    }

    private final Thread thread;
    private final Runnable completed;
    private final ArrayDeque<Task> queue = new ArrayDeque<>();
    private long completedLsn;
    private long forces;
    private IOException failure;
    private boolean closing;

    private SegmentForcer(String name, Runnable completed) {
        this.completed = completed;
        if (completed == null) {
            this.thread = null;
        } else {
            this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::loop);
            this.thread.start();
        }
    }

    static SegmentForcer inline() {
        return new SegmentForcer(null, null);
    }

    /** @param completed run on the forcer's thread after each force (to wake the log's owner) */
    static SegmentForcer background(String name, Runnable completed) {
        return new SegmentForcer(name, completed);
    }

    void submit(Task task) {
        if (thread == null) {
            run(List.of(task));
            return;
        }
        synchronized (this) {
            if (closing) {
                throw new IllegalStateException("forcer closed");
            }
            queue.addLast(task);
            notifyAll();
        }
    }

    /** Highest LSN a completed force made durable. */
    synchronized long completedLsn() {
        return completedLsn;
    }

    /**
     * Waits until the forces asked for reach {@code lsn}, or one failed (a force of it must have
     * been submitted), for at most {@code timeoutNanos}: the owner creates no next segment before
     * the last is forced. Returns false if the time ran out (a disk that stalls).
     */
    boolean awaitForced(long lsn, long timeoutNanos) {
        if (thread == null) {
            return true; // inline: done in submit
        }
        boolean interrupted = false;
        long giveUpAt = System.nanoTime() + timeoutNanos;
        boolean forced;
        synchronized (this) {
            while (completedLsn < lsn && failure == null && thread.isAlive() && System.nanoTime() - giveUpAt < 0) {
                try {
                    wait(100); // woken by each completed force; the bound notices a thread that died, and the time running out
                } catch (InterruptedException e) {
                    interrupted = true; // a roll must not go on unforced; the interrupt is kept for the caller
                }
            }
            forced = completedLsn >= lsn || failure != null || !thread.isAlive();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return forced;
    }

    /** The first force or close that failed, or null. After one, nothing more is forced. */
    synchronized IOException failure() {
        return failure;
    }

    synchronized long forces() {
        return forces;
    }

    private void loop() {
        while (true) {
            List<Task> group = new ArrayList<>();
            synchronized (this) {
                while (queue.isEmpty() && !closing) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        // the log stops this thread by closing; an interrupt alone is ignored
                    }
                }
                if (queue.isEmpty()) {
                    return;
                }
                FileChannel channel = queue.peekFirst().channel();
                while (!queue.isEmpty() && queue.peekFirst().channel() == channel) {
                    group.add(queue.removeFirst());
                }
            }
            run(group);
            completed.run();
        }
    }

    /** Tasks for one channel, in order: one force if any asks, then the close if the last asks. */
    private void run(List<Task> group) {
        FileChannel channel = group.getFirst().channel();
        boolean force = false;
        Path directory = null;
        long lsn = 0;
        for (Task t : group) {
            if (t.force()) {
                force = true;
                lsn = Math.max(lsn, t.lsn());
            }
            if (t.directory() != null) {
                directory = t.directory();
            }
        }
        IOException error = null;
        if (force && failure() == null) {
            try {
                channel.force(false); // fdatasync: the data and the length that reaches it
                if (directory != null) {
                    forceDirectory(directory);
                }
            } catch (IOException e) {
                error = e;
            }
        }
        if (group.getLast().closeAfter()) {
            try {
                channel.close();
            } catch (IOException e) {
                error = error == null ? e : error;
            }
        }
        synchronized (this) {
            if (error != null && failure == null) {
                failure = error;
            }
            if (force && failure == null) {
                forces++;
                completedLsn = Math.max(completedLsn, lsn);
            }
            notifyAll(); // a roll waiting in awaitForced
        }
    }

    /** A new segment's name is durable only once its directory is forced. */
    static void forceDirectory(Path directory) throws IOException {
        try (FileChannel d = FileChannel.open(directory, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** Runs what is queued, then stops the thread. */
    @Override
    public void close() {
        if (thread == null) {
            return;
        }
        synchronized (this) {
            closing = true;
            notifyAll();
        }
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
