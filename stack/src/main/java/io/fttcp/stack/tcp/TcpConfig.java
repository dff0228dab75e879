package io.fttcp.stack.tcp;

/**
 * Tunables of a connection. Durations in nanoseconds. {@link #defaults()} follows the RFCs and
 * Linux where they differ only in taste.
 *
 * @param mss                  our MSS (advertised; also the cap on what we send)
 * @param receiveBuffer        receive buffer bytes (upper bound of the advertised window)
 * @param sendBuffer           send buffer bytes
 * @param windowScaling        offer RFC 7323 window scaling
 * @param timestamps           offer RFC 7323 timestamps
 * @param sack                 offer RFC 2018 SACK
 * @param congestionControl    CUBIC (default) or NEWRENO
 * @param initialWindowSegments initial congestion window in segments (RFC 6928: 10)
 * @param nagle                Nagle's algorithm on new connections (TCP_NODELAY off)
 * @param delayedAck           maximum ACK delay (RFC 9293: under 500 ms; Linux ~40 ms)
 * @param initialRto           RFC 6298 initial RTO (1 s)
 * @param minRto               RTO floor (Linux 200 ms; RFC 6298 says 1 s)
 * @param maxRto               RTO ceiling (60 s or more)
 * @param synRetries           SYN / SYN-ACK retransmissions before giving up
 * @param dataRetries          data retransmissions (or unanswered zero-window probes) before giving up
 * @param keepaliveIdle        idle time before the first keepalive probe
 * @param keepaliveInterval    time between probes
 * @param keepaliveProbes      unanswered probes before the connection is dropped
 * @param timeWait             TIME-WAIT duration (2 MSL)
 */
public record TcpConfig(
        int mss,
        int receiveBuffer,
        int sendBuffer,
        boolean windowScaling,
        boolean timestamps,
        boolean sack,
        CongestionControl congestionControl,
        int initialWindowSegments,
        boolean nagle,
        long delayedAck,
        long initialRto,
        long minRto,
        long maxRto,
        int synRetries,
        int dataRetries,
        long keepaliveIdle,
        long keepaliveInterval,
        int keepaliveProbes,
        long timeWait) {

    public enum CongestionControl { CUBIC, NEWRENO }

    private static final long MS = 1_000_000L;

    public static TcpConfig defaults() {
        return new TcpConfig(1460, 4 << 20, 4 << 20, true, true, true, CongestionControl.CUBIC, 10, true,
                40 * MS, 1000 * MS, 200 * MS, 120_000 * MS, 6, 15,
                7_200_000 * MS, 75_000 * MS, 9, 60_000 * MS);
    }

    /** The window-scale shift we offer: the smallest that lets the receive buffer be advertised (RFC 7323: at most 14). */
    public int receiveWindowShift() {
        int shift = 0;
        while (shift < 14 && (65535L << shift) < receiveBuffer) shift++;
        return shift;
    }

    public TcpConfig withMss(int v) { return new TcpConfig(v, receiveBuffer, sendBuffer, windowScaling, timestamps, sack, congestionControl, initialWindowSegments, nagle, delayedAck, initialRto, minRto, maxRto, synRetries, dataRetries, keepaliveIdle, keepaliveInterval, keepaliveProbes, timeWait); }
    public TcpConfig withBuffers(int receive, int send) { return new TcpConfig(mss, receive, send, windowScaling, timestamps, sack, congestionControl, initialWindowSegments, nagle, delayedAck, initialRto, minRto, maxRto, synRetries, dataRetries, keepaliveIdle, keepaliveInterval, keepaliveProbes, timeWait); }
    public TcpConfig withOptions(boolean ws, boolean ts, boolean sackOn) { return new TcpConfig(mss, receiveBuffer, sendBuffer, ws, ts, sackOn, congestionControl, initialWindowSegments, nagle, delayedAck, initialRto, minRto, maxRto, synRetries, dataRetries, keepaliveIdle, keepaliveInterval, keepaliveProbes, timeWait); }
    public TcpConfig withCongestionControl(CongestionControl cc) { return new TcpConfig(mss, receiveBuffer, sendBuffer, windowScaling, timestamps, sack, cc, initialWindowSegments, nagle, delayedAck, initialRto, minRto, maxRto, synRetries, dataRetries, keepaliveIdle, keepaliveInterval, keepaliveProbes, timeWait); }
    public TcpConfig withTimeWait(long v) { return new TcpConfig(mss, receiveBuffer, sendBuffer, windowScaling, timestamps, sack, congestionControl, initialWindowSegments, nagle, delayedAck, initialRto, minRto, maxRto, synRetries, dataRetries, keepaliveIdle, keepaliveInterval, keepaliveProbes, v); }
    public TcpConfig withRetries(int syn, int data) { return new TcpConfig(mss, receiveBuffer, sendBuffer, windowScaling, timestamps, sack, congestionControl, initialWindowSegments, nagle, delayedAck, initialRto, minRto, maxRto, syn, data, keepaliveIdle, keepaliveInterval, keepaliveProbes, timeWait); }
    public TcpConfig withNagle(boolean on) { return new TcpConfig(mss, receiveBuffer, sendBuffer, windowScaling, timestamps, sack, congestionControl, initialWindowSegments, on, delayedAck, initialRto, minRto, maxRto, synRetries, dataRetries, keepaliveIdle, keepaliveInterval, keepaliveProbes, timeWait); }
    public TcpConfig withRto(long initial, long min, long max) { return new TcpConfig(mss, receiveBuffer, sendBuffer, windowScaling, timestamps, sack, congestionControl, initialWindowSegments, nagle, delayedAck, initial, min, max, synRetries, dataRetries, keepaliveIdle, keepaliveInterval, keepaliveProbes, timeWait); }
    public TcpConfig withDelayedAck(long v) { return new TcpConfig(mss, receiveBuffer, sendBuffer, windowScaling, timestamps, sack, congestionControl, initialWindowSegments, nagle, v, initialRto, minRto, maxRto, synRetries, dataRetries, keepaliveIdle, keepaliveInterval, keepaliveProbes, timeWait); }
    public TcpConfig withKeepalive(long idle, long interval, int probes) { return new TcpConfig(mss, receiveBuffer, sendBuffer, windowScaling, timestamps, sack, congestionControl, initialWindowSegments, nagle, delayedAck, initialRto, minRto, maxRto, synRetries, dataRetries, idle, interval, probes, timeWait); }
}
