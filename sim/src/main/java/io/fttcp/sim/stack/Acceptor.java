package io.fttcp.sim.stack;

import io.fttcp.stack.host.Connection;
import io.fttcp.stack.host.Listener;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A listening service: accepts every connection as soon as it is established and gives it to a
 * fresh application from {@code appFor} (which may choose by the connection's four-tuple).
 */
public final class Acceptor implements Listener.Events {
    private final SimStackHost host;
    private final Function<Connection, ? extends ConnectionApp> appFor;
    private final List<ConnectionApp> apps = new ArrayList<>();
    private final Listener listener;
    private boolean drainPosted;

    public Acceptor(SimStackHost host, int port, int backlog, Function<Connection, ? extends ConnectionApp> appFor) {
        this.host = host;
        this.appFor = appFor;
        this.listener = host.listen(port, backlog, this);
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
        while ((accepted = listener.poll()) != null) {
            ConnectionApp app = appFor.apply(accepted);
            apps.add(app);
            app.adopt(host, accepted);
        }
    }

    /** Applications of the accepted connections, in accept order. */
    public List<ConnectionApp> apps() {
        return apps;
    }

    public Listener listener() {
        return listener;
    }
}
