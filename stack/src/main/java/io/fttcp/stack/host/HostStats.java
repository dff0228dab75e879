package io.fttcp.stack.host;

/** Host-level counters (per-connection ones live in TcpStats; malformed packets in the drop counters). */
public final class HostStats {
    public long packetsReceived;
    public long packetsSent;
    public long notForUs;
    public long fragmentsDropped;
    public long unknownProtocol;
    public long resetsSent;
    /** Old ACKs sent to make the peer of a connection we do not hold say where to reset it ({@link IpHost#probeUnknown}). */
    public long resetProbesSent;
    public long synsDroppedBacklogFull;
    /** Connections in TIME-WAIT ended by a client's SYN opening a new incarnation ({@code TcpConnection.endsForNewIncarnation}). */
    public long timeWaitsEndedByNewSyn;
    public long synCookiesSent;
    public long synCookiesAccepted;
    public long synCookiesRejected;
    public long echoRepliesSent;
    public long icmpErrorsReceived;
    /** ICMP errors that quoted a sequence number in flight and were acted on (RFC 5927). */
    public long icmpErrorsApplied;
    /** ICMP errors for no connection's data in flight: ignored (blind-attack defence). */
    public long icmpErrorsIgnored;
    public long connectionsOpened;
    public long connectionsClosed;
}
