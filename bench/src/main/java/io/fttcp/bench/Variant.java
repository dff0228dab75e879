package io.fttcp.bench;

/** The two servers compared: (a) on the kernel's TCP, (b) on the user-space stack over TAP. */
public enum Variant {
    KERNEL("a", "kernel"),
    STACK("b", "stack");

    private final String letter;
    private final String label;

    Variant(String letter, String label) {
        this.letter = letter;
        this.label = label;
    }

    /** The letter of the ratios: b/a is stack over kernel. */
    public String letter() {
        return letter;
    }

    /** The name the bench server takes on its command line and the report shows. */
    public String label() {
        return label;
    }

    public static Variant parse(String label) {
        for (Variant v : values()) {
            if (v.label.equals(label)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown variant '" + label + "' (kernel or stack)");
    }
}
