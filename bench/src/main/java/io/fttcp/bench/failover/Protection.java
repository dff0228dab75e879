package io.fttcp.bench.failover;

/** The two ways (b) runs the same HTTP service on the user-space stack. */
public enum Protection {
    /** {@code fttcp serve --network stack}: one process, nothing replicated. */
    UNPROTECTED("a", "unprotected"),
    /** {@code fttcp primary} plus {@code fttcp backup}. */
    PROTECTED("b", "protected");

    private final String letter;
    private final String label;

    Protection(String letter, String label) {
        this.letter = letter;
        this.label = label;
    }

    public String letter() {
        return letter;
    }

    public String label() {
        return label;
    }
}
