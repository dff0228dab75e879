package io.fttcp.sim.stack;

import io.fttcp.link.ethernet.EthernetInterface;
import io.fttcp.sim.TimerDriven;
import io.fttcp.stack.host.IpHost;

/** The timers of one host's stack (ARP retries and announcements, every TCP connection) as one deadline. */
final class StackTimers implements TimerDriven {
    private final EthernetInterface ethernet;
    private final IpHost ip;

    StackTimers(EthernetInterface ethernet, IpHost ip) {
        this.ethernet = ethernet;
        this.ip = ip;
    }

    @Override
    public long nextDeadline() {
        return Math.min(ethernet.nextDeadline(), ip.nextDeadline());
    }

    @Override
    public void onTimer(long now) {
        // Both tolerate early calls, so each runs whatever of its own is due.
        ethernet.onTimer(now);
        ip.onTimer(now);
    }

    @Override
    public String toString() {
        return "stack timers (ARP " + ethernet.nextDeadline() + ", TCP " + ip.nextDeadline() + ")";
    }
}
