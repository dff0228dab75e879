package io.fttcp.cli;

import io.fttcp.api.Network;
import io.fttcp.apps.chat.ChatServer;
import io.fttcp.apps.echo.LineEchoServer;
import io.fttcp.apps.http.HttpFileServer;
import io.fttcp.apps.http.HttpServerConfig;
import io.fttcp.apps.kv.KvServer;
import io.fttcp.roles.StackAddresses;
import io.fttcp.roles.config.FtConfig;

import java.io.IOException;
import java.net.InetSocketAddress;

/** Starts the configured application on a replica's network: the same on the primary and the backup. */
final class ProtectedApp {
    /** Commands between the key-value store's checkpoints (they bound replay under {@code replication.retention = checkpointed}). */
    static final int KV_CHECKPOINT_EVERY = 1000;
    /** Lines between the chat's checkpoints (the same role). */
    static final int CHAT_CHECKPOINT_EVERY = 1000;

    private ProtectedApp() {}

    /** The application, listening on the service address and its first protected port; returns how to stop it. */
    static Runnable start(FtConfig config, Network network) throws IOException {
        InetSocketAddress listen = new InetSocketAddress(StackAddresses.toInetAddress(config.serviceAddress()), config.servicePorts().getFirst());
        return switch (config.app()) {
            case http -> HttpFileServer.start(network, listen, HttpServerConfig.serving(config.appRoot()).withUploadDir(config.appUploadDir()))::stop;
            case echo -> LineEchoServer.start(network, listen)::stop;
            case chat -> ChatServer.start(network, listen, CHAT_CHECKPOINT_EVERY)::close;
            case kv -> KvServer.start(network, listen, KV_CHECKPOINT_EVERY)::close;
        };
    }
}
