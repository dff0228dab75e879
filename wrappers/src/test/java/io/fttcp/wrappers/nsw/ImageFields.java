package io.fttcp.wrappers.nsw;

import java.lang.reflect.RecordComponent;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A connection image's components by name, arrays by content (a record's equals compares arrays by identity): for comparing images in tests. */
final class ImageFields {
    private ImageFields() {}

    static Map<String, String> of(ConnectionImage image) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (RecordComponent c : ConnectionImage.class.getRecordComponents()) {
            Object value;
            try {
                value = c.getAccessor().invoke(image);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
            fields.put(c.getName(), switch (value) {
                case byte[] bytes -> HexFormat.of().formatHex(bytes);
                case List<?> pieces -> pieces.stream().map(p -> p instanceof ConnectionImage.Piece piece
                        ? piece.offset() + ":" + HexFormat.of().formatHex(piece.bytes()) : String.valueOf(p)).toList().toString();
                case null -> "null";
                default -> value.toString();
            });
        }
        return fields;
    }
}
