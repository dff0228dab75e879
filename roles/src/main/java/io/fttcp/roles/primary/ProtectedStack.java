package io.fttcp.roles.primary;

import io.fttcp.replication.stream.RecordStream;
import io.fttcp.roles.StackHost;
import io.fttcp.roles.StackHostConfig;
import io.fttcp.roles.config.FtConfig;
import io.fttcp.stack.host.HostConfig;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpConfig;
import io.fttcp.wrappers.nsw.LoggingNetwork;
import io.fttcp.wrappers.nsw.OutputCommitSink;
import io.fttcp.wrappers.nsw.OutputHashing;
import io.fttcp.wrappers.ssw.ProtectedService;
import io.fttcp.wrappers.ssw.SouthSideWrapper;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The stack on the TAP device with the south-side wrapper between it and the link, and the
 * record log both wrappers write to: what a primary runs on. A backup starts one too, without
 * the service address and with the wrapper fenced, so that after its takeover it serves as a
 * protected primary on the very stack its connections were restored into.
 */
public final class ProtectedStack implements AutoCloseable {
    private final StackHost stack;
    private final SouthSideWrapper ssw;
    private final ReplicationLog log;

    private ProtectedStack(StackHost stack, SouthSideWrapper ssw, ReplicationLog log) {
        this.stack = stack;
        this.ssw = ssw;
        this.log = log;
    }

    /**
     * Starts the stack. {@code serving}: with the service address (a primary); otherwise with
     * none and the wrapper fenced (a backup, until its takeover).
     */
    public static ProtectedStack start(FtConfig config, boolean serving) throws IOException {
        RecordStream stream = config.channel().newRecordStream();
        ReplicationLog log = new ReplicationLog(stream, config.channel(), config.retention(), config.retentionLimitBytes());
        ProtectedService service = new ProtectedService(config.serviceAddress(),
                config.servicePorts().stream().mapToInt(Integer::intValue).toArray());
        SouthSideWrapper[] made = new SouthSideWrapper[1];
        StackHost stack = StackHost.start(new StackHostConfig(config.tapDevice(), config.serviceMac(),
                serving ? List.of(config.serviceAddress()) : List.of(), config.prefixLength(), config.offloads(),
                HostConfig.defaults(0, 0)), (link, partial) -> {
            made[0] = new SouthSideWrapper(service, log, link, partial);
            made[0].setFenced(!serving);
            made[0].setPassThrough(!serving); // a backup's stack has no service address: nothing to protect before its takeover
            return made[0];
        });
        return new ProtectedStack(stack, made[0], log);
    }

    /** The application's network on a primary: the logging north-side wrapper over this stack. */
    public LoggingNetwork loggingNetwork(FtConfig config) {
        // Checkpoints carry each connection's output the client may not have acknowledged: at most a send buffer's worth.
        int outputCopy = config.retention() == FtConfig.Retention.checkpointed ? TcpConfig.defaults().sendBuffer() : 0;
        return new LoggingNetwork(stack.network(), log, new WrapperOutputCommit(), config.outputHashing() ? OutputHashing.HASH : OutputHashing.OFF, outputCopy);
    }

    public StackHost stack() {
        return stack;
    }

    public SouthSideWrapper ssw() {
        return ssw;
    }

    ReplicationLog log() {
        return log;
    }

    /**
     * A replica about to take over: records appended from now on (its application going live)
     * continue after {@code lastLsn}, the last it applied. Backup mode: unprotected until a new
     * backup joins. Logger mode: kept for the logger, and stable (output released) only once it
     * holds them. Under the host lock the wrapper learns the stable LSN, and stops being fenced.
     */
    public void promote(FtConfig config, long lastLsn) {
        log.promoted(lastLsn);
        if (config.mode() == FtConfig.Mode.logger) log.streamForJoiner(System.nanoTime());
        java.util.concurrent.locks.ReentrantLock lock = stack.loop().lock();
        lock.lock();
        try {
            ssw.onStable(log.stableLsnForWrapper(), stack.loop().now());
            ssw.setPassThrough(false);
            ssw.setFenced(false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A connection the takeover just restored into the stack (host lock held, before it sends
     * anything): the south-side wrapper protects it from now on.
     */
    public void adopt(io.fttcp.wrappers.nsw.ConnectionImage image, io.fttcp.stack.tcp.TcpCheckpoint checkpoint) {
        ssw.adopt(io.fttcp.wrappers.ssw.AdoptedConnection.restored(checkpoint, image.clientAckedOffset(), stack.loop().now()));
    }

    /** Records a replica received and applied (a backup's, or a recovering server's): kept for its own catch-ups once it serves. */
    public void retainApplied(long lsn, io.fttcp.replication.record.Record record) {
        log.retainApplied(lsn, record);
    }

    /** Output commit, from the application's threads: tell the wrapper under the host lock. */
    private final class WrapperOutputCommit implements OutputCommitSink {
        @Override
        public void requireStable(FourTuple connection, long start, long end, long lsn) {
            ReentrantLock lock = stack.loop().lock();
            lock.lock();
            try {
                ssw.requireStable(connection, start, end, lsn);
                stack.loop().timersChanged();
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public void close() {
        stack.close();
    }
}
