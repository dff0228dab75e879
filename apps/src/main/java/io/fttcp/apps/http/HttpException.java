package io.fttcp.apps.http;

/**
 * A request the server answers with an error status instead of serving it. Thrown by parsing
 * and routing; the connection turns it into a response, and closes when {@link #closeAfter}
 * (the request stream can no longer be trusted, e.g. after a malformed head).
 */
class HttpException extends Exception {

    private final int status;
    private final boolean closeAfter;

    HttpException(int status, String message, boolean closeAfter) {
        super(message, null, false, false);
        this.status = status;
        this.closeAfter = closeAfter;
    }

    /** A malformed request: 400, then close (we cannot tell where the next request starts). */
    static HttpException badRequest(String message) {
        return new HttpException(400, message, true);
    }

    int status() {
        return status;
    }

    boolean closeAfter() {
        return closeAfter;
    }
}
