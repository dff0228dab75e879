package io.fttcp.apps.http;

import java.io.IOException;
import java.nio.ByteBuffer;

/** The body of one request, framed by Content-Length or chunked transfer coding. */
sealed interface RequestBody permits FixedLengthBody, ChunkedBody {

    /** Reads body bytes into {@code dst}; -1 once the whole body has been read. */
    int read(ByteBuffer dst) throws IOException, HttpException;

    /** True once the body has been read to its end (the next request may follow). */
    boolean isComplete();

    /** The framing a request head declares; an absent body is a zero-length one. */
    static RequestBody of(RequestHead head, SocketInput in, long maxBytes) throws HttpException {
        String transferEncoding = head.header("transfer-encoding");
        String contentLength = head.header("content-length");
        if (transferEncoding != null) {
            if (contentLength != null) {
                throw HttpException.badRequest("both Transfer-Encoding and Content-Length");
            }
            if (!transferEncoding.trim().equalsIgnoreCase("chunked")) {
                throw new HttpException(501, "transfer coding not supported: " + transferEncoding, true);
            }
            return new ChunkedBody(in, maxBytes);
        }
        if (contentLength == null) {
            return new FixedLengthBody(in, 0);
        }
        long length = parseContentLength(contentLength);
        if (length > maxBytes) {
            throw new HttpException(413, "body of " + length + " bytes exceeds the limit of " + maxBytes, true);
        }
        return new FixedLengthBody(in, length);
    }

    private static long parseContentLength(String value) throws HttpException {
        long length = -1;
        // Repeated identical values ("5, 5") are allowed (RFC 9110 §8.6); differing ones are not.
        for (String part : value.split(",")) {
            String digits = part.trim();
            if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw HttpException.badRequest("malformed Content-Length: " + value);
            }
            long parsed = Long.parseLong(digits);
            if (length >= 0 && parsed != length) {
                throw HttpException.badRequest("conflicting Content-Length values: " + value);
            }
            length = parsed;
        }
        return length;
    }
}
