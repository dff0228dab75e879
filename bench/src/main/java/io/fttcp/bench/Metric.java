package io.fttcp.bench;

/** What the stack benchmark measures, with the unit each is reported in. */
public enum Metric {
    DOWNLOAD("download, 1 connection", "MB/s", true),
    UPLOAD("upload, 1 connection", "MB/s", true),
    AGGREGATE("download, concurrent", "MB/s", true),
    RR_P50("request/response p50", "us", false),
    RR_P99("request/response p99", "us", false),
    /** CPU time of the server's processes (a protected service: primary and backup together) per GB downloaded. */
    DOWNLOAD_CPU("server CPU per GB down", "s", false),
    /** The same per GB uploaded. */
    UPLOAD_CPU("server CPU per GB up", "s", false),
    IDLE_CONNECTION_BYTES("heap per idle connection", "bytes", false),
    /** Machine-wide kernel slab growth per idle connection: the client's sockets, plus the server's on the kernel variant. */
    KERNEL_SLAB_BYTES("kernel slab per idle conn.", "bytes", false);

    private final String label;
    private final String unit;
    private final boolean higherIsBetter;

    Metric(String label, String unit, boolean higherIsBetter) {
        this.label = label;
        this.unit = unit;
        this.higherIsBetter = higherIsBetter;
    }

    public String label() {
        return label;
    }

    public String unit() {
        return unit;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }
}
