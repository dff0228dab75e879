package io.fttcp.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of the bench processes' control protocol: a word, then {@code key=value} fields, for
 * example {@code heap used=123456}. A reply whose word is {@code error} carries a message.
 */
public record ControlReply(String word, Map<String, String> fields, String line) {

    public ControlReply {
        fields = Map.copyOf(fields);
    }

    /** Parses a reply line; throws {@link IllegalArgumentException} (with the line) if it is malformed. */
    public static ControlReply parse(String line) {
        if (line == null) {
            throw new IllegalArgumentException("no reply (end of stream)");
        }
        String trimmed = line.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("empty reply");
        }
        String[] parts = trimmed.split("\\s+");
        if (parts[0].contains("=")) {
            throw new IllegalArgumentException("reply lacks its leading word: " + line);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        if (parts[0].equals("error")) {
            fields.put("message", trimmed.substring(parts[0].length()).strip());
            return new ControlReply("error", fields, trimmed);
        }
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0 || eq == parts[i].length() - 1) {
                throw new IllegalArgumentException("malformed field '" + parts[i] + "' in reply: " + line);
            }
            if (fields.put(parts[i].substring(0, eq), parts[i].substring(eq + 1)) != null) {
                throw new IllegalArgumentException("duplicate field '" + parts[i].substring(0, eq) + "' in reply: " + line);
            }
        }
        return new ControlReply(parts[0], fields, trimmed);
    }

    public boolean isError() {
        return word.equals("error");
    }

    /** The reply, checked to be {@code expectedWord}; an error reply or another word is an exception. */
    public ControlReply expect(String expectedWord) {
        if (isError()) {
            throw new IllegalStateException("remote error: " + fields.get("message"));
        }
        if (!word.equals(expectedWord)) {
            throw new IllegalStateException("expected a '" + expectedWord + "' reply, got: " + line);
        }
        return this;
    }

    public long longField(String key) {
        String v = fields.get(key);
        if (v == null) {
            throw new IllegalArgumentException("reply lacks field '" + key + "': " + line);
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("field '" + key + "' is not an integer in reply: " + line);
        }
    }

    public String field(String key) {
        String v = fields.get(key);
        if (v == null) {
            throw new IllegalArgumentException("reply lacks field '" + key + "': " + line);
        }
        return v;
    }
}
