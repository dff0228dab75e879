package io.fttcp.apps.http;

/**
 * One request being answered.
 *
 * @param close whether the response must announce and then perform a close of the connection
 */
record Exchange(RequestHead head, RequestTarget target, RequestBody body, SocketInput input, ResponseWriter response, boolean close) {

    boolean isHead() {
        return head.method().equals("HEAD");
    }
}
