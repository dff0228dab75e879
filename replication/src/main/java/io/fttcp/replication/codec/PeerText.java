package io.fttcp.replication.codec;

/**
 * Text a peer sends (a REJECT's reason, a cluster id) goes into our log lines and our owners'
 * messages. A line break or another control character in it would let a peer write lines that
 * look like ours (log forging), a terminal escape rewrite an operator's screen, a bidirectional
 * override turn a line round: such characters are escaped ({@link #printable}) or, in a name,
 * refused ({@link #hasControlCharacter}). Letters of any script stay as they are.
 */
public final class PeerText {
    private PeerText() {
    }

    /** C0 and C1 controls (line breaks among them), the Unicode line and paragraph separators, and format characters (bidi overrides). */
    public static boolean isControlCharacter(int codePoint) {
        int type = Character.getType(codePoint);
        return Character.isISOControl(codePoint) || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                || type == Character.FORMAT;
    }

    public static boolean hasControlCharacter(String s) {
        return s.codePoints().anyMatch(PeerText::isControlCharacter);
    }

    /** {@code s} with each control character written as Java would escape it: \n, \r, \t, else a backslash-u and four hex digits. */
    public static String printable(String s) {
        if (!hasControlCharacter(s)) return s;
        StringBuilder b = new StringBuilder(s.length() + 16);
        s.codePoints().forEach(c -> {
            if (!isControlCharacter(c)) {
                b.appendCodePoint(c);
                return;
            }
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    for (char unit : Character.toChars(c)) b.append(String.format("\\u%04x", (int) unit));
                }
            }
        });
        return b.toString();
    }
}
