package io.fttcp.apps.http;

import java.io.IOException;

/** Sends a representation of known size, honouring a single Range request (for resumed downloads). */
final class RangedResponses {

    private RangedResponses() {
    }

    /**
     * @param validator the header naming this version of the representation, {@code ETag} (a strong
     *     entity tag) or {@code Last-Modified}: sent, and what an {@code If-Range} must equal
     */
    static void send(Exchange exchange, long size, String contentType, Validator validator, BodySource whole) throws IOException {
        String headers = "Accept-Ranges: bytes\r\n" + validator.name() + ": " + validator.value() + "\r\n";
        boolean headOnly = exchange.isHead();
        switch (RangeSelection.of(rangeToHonour(exchange.head(), validator), size)) {
            case RangeSelection.Whole w ->
                    exchange.response().send(200, contentType, size, headers, exchange.close(), headOnly ? null : whole);
            case RangeSelection.Partial p -> {
                String rangeHeaders = headers + "Content-Range: bytes " + p.first() + "-" + p.last() + "/" + size + "\r\n";
                BodySource part = (offset, dst, length) -> whole.fill(p.first() + offset, dst, length);
                exchange.response().send(206, contentType, p.length(), rangeHeaders, exchange.close(), headOnly ? null : part);
            }
            case RangeSelection.Unsatisfiable u -> exchange.response().sendText(416,
                    "416 Range Not Satisfiable: the resource has " + size + " bytes\n",
                    headers + "Content-Range: bytes */" + size + "\r\n", exchange.close(), headOnly);
        }
    }

    /**
     * The Range header, unless an If-Range names another version than this one (RFC 9110 §13.1.5):
     * then the whole new version goes out, rather than its tail spliced onto the client's old head.
     * The comparison is exact, so a weak entity tag ({@code W/"..."}) never matches.
     */
    private static String rangeToHonour(RequestHead head, Validator validator) {
        String ifRange = head.header("if-range");
        return ifRange == null || ifRange.equals(validator.value()) ? head.header("range") : null;
    }

    /** The header that names a version of a representation, and its value. */
    record Validator(String name, String value) {

        static Validator entityTag(String strongTag) {
            return new Validator("ETag", strongTag);
        }

        static Validator lastModified(String httpDate) {
            return new Validator("Last-Modified", httpDate);
        }
    }
}
