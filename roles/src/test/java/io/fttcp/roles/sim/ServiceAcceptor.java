package io.fttcp.roles.sim;

import io.fttcp.stack.host.Connection;
import io.fttcp.stack.host.Listener;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The primary's protected service: accepts (logging ACCEPT) and gives each connection a fresh application. */
final class ServiceAcceptor implements Listener.Events {
    private final SimPrimaryHost host;
    private final LoggedSockets sockets;
    private final Function<Connection, ? extends ServiceApp> appFor;
    private final List<ServiceApp> apps = new ArrayList<>();
    private final Listener listener;
    private boolean drainPosted;

    ServiceAcceptor(SimPrimaryHost host, LoggedSockets sockets, int port, int backlog,
                    Function<Connection, ? extends ServiceApp> appFor) {
        this.host = host;
        this.sockets = sockets;
        this.appFor = appFor;
        this.listener = host.call(() -> host.ip().listen(host.service().address(), port, backlog, this));
    }

    @Override
    public void onAcceptable(Listener l) {
        if (!drainPosted) {
            drainPosted = true;
            host.post(this::acceptAll);
        }
    }

    private void acceptAll() {
        drainPosted = false;
        Connection accepted;
        while ((accepted = sockets.accept(listener)) != null) {
            ServiceApp app = appFor.apply(accepted);
            apps.add(app);
            app.adopt(host, sockets, accepted);
        }
    }

    List<ServiceApp> apps() {
        return apps;
    }
}
