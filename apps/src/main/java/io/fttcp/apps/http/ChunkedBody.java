package io.fttcp.apps.http;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A body in chunked transfer coding (RFC 9112 §7.1); extensions and trailers are read and ignored. */
final class ChunkedBody implements RequestBody {

    private static final int MAX_TRAILER_FIELDS = 100;

    private final SocketInput in;
    private final long maxBytes;
    private long total;
    private long remainingInChunk;
    private boolean complete;

    ChunkedBody(SocketInput in, long maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException, HttpException {
        if (complete) {
            return -1;
        }
        if (remainingInChunk == 0) {
            long size = readChunkSize();
            if (size == 0) {
                readTrailers();
                complete = true;
                return -1;
            }
            total += size;
            if (total > maxBytes || total < 0) {
                throw new HttpException(413, "chunked body exceeds the limit of " + maxBytes + " bytes", true);
            }
            remainingInChunk = size;
        }
        int n = in.readSome(dst, remainingInChunk);
        remainingInChunk -= n;
        if (remainingInChunk == 0) {
            String end = in.readLine(RequestHeadReader.MAX_LINE);
            if (end == null || !end.isEmpty()) {
                throw HttpException.badRequest("chunk data not followed by CRLF");
            }
        }
        return n;
    }

    private long readChunkSize() throws IOException, HttpException {
        String line = in.readLine(RequestHeadReader.MAX_LINE);
        if (line == null) {
            throw HttpException.badRequest("connection closed before the last chunk");
        }
        int semicolon = line.indexOf(';');
        // chunk-size = 1*HEXDIG, then only BWS (SP / HTAB) before an extension (RFC 9112 §7.1.1).
        String hex = semicolon >= 0 ? RequestHeadReader.trimOptionalWhitespace(line.substring(0, semicolon)) : line;
        if (hex.isEmpty() || hex.length() > 15) {
            throw HttpException.badRequest("malformed chunk size: " + abbreviate(line));
        }
        long size = 0;
        for (int i = 0; i < hex.length(); i++) {
            int digit = Character.digit(hex.charAt(i), 16);
            if (digit < 0) {
                throw HttpException.badRequest("malformed chunk size: " + abbreviate(line));
            }
            size = size * 16 + digit;
        }
        return size;
    }

    private void readTrailers() throws IOException, HttpException {
        for (int i = 0; i <= MAX_TRAILER_FIELDS; i++) {
            String line = in.readLine(RequestHeadReader.MAX_LINE);
            if (line == null) {
                throw HttpException.badRequest("connection closed in the chunked trailer");
            }
            if (line.isEmpty()) {
                return;
            }
        }
        throw new HttpException(431, "too many trailer fields", true);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    @Override
    public boolean isComplete() {
        return complete;
    }
}
