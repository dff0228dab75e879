package io.fttcp.roles.metrics;

import io.fttcp.wrappers.ssw.SswStats;

import java.util.List;

/** The south-side wrapper's counters ({@link SswStats}, a {@link SswStats#snapshot} of them) as readings. */
public final class SswReadings {
    private SswReadings() {
    }

    public static List<Reading> of(SswStats s) {
        return List.of(
                Reading.counter("fttcp_ssw_connects_logged", "CONNECT records logged (one per protected handshake)", s.connectsLogged),
                Reading.counter("fttcp_ssw_segments_logged", "SEGMENT records logged (client packets)", s.segmentsLogged),
                Reading.counter("fttcp_ssw_pure_acks_thinned", "Client pure ACKs not logged (too little news for the backup)", s.pureAcksThinned),
                Reading.counter("fttcp_ssw_held", "Outgoing packets held (SYN-ACKs for their CONNECT, output for commit)", s.held),
                Reading.gauge("fttcp_ssw_held_packets", "Outgoing packets held now", s.heldPackets),
                Reading.gauge("fttcp_ssw_held_bytes", "Bytes of the outgoing packets held now", s.heldBytes),
                Reading.counter("fttcp_ssw_released", "Held packets sent once stability allowed", s.released),
                Reading.counter("fttcp_ssw_clamped", "Outgoing segments whose ACK was clamped to the stable client sequence", s.clamped),
                Reading.counter("fttcp_ssw_wrapper_acks", "ACKs the wrapper sent itself when stability advanced", s.wrapperAcks),
                Reading.counter("fttcp_ssw_dropped_while_fenced", "Protected outgoing packets dropped because this primary is fenced", s.droppedWhileFenced),
                Reading.counter("fttcp_ssw_malformed_dropped", "Protected incoming packets dropped as malformed (never logged)", s.malformedDropped),
                Reading.counter("fttcp_ssw_dropped_before_connect_stable", "Packets of a connection whose CONNECT was not stable yet, dropped", s.droppedBeforeConnectStable),
                Reading.counter("fttcp_ssw_untracked_dropped", "Protected outgoing SYN-ACKs or data of a connection the wrapper does not know, dropped",
                        s.untrackedSynAcksDropped + s.untrackedDataDropped),
                Reading.counter("fttcp_ssw_connections_adopted", "Connections restored at a takeover and protected from then on", s.connectionsAdopted),
                Reading.counter("fttcp_ssw_connections_forgotten", "Connections the wrapper stopped tracking (closed or reset)", s.connectionsForgotten),
                Reading.counter("fttcp_ssw_stack_resets_logged", "Connections the stack aborted or timed out on its own, or whose handshake no client segment followed, logged as over", s.stackResetsLogged),
                Reading.counter("fttcp_ssw_resets_behind_held_abort_dropped", "The stack's RSTs to a client dropped while that connection's abort RST was held behind its output", s.resetsBehindHeldAbortDropped));
    }
}
