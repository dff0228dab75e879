package io.fttcp.apps.http;

import java.io.IOException;

/** Sends a representation of known size, honouring a single Range request (for resumed downloads). */
final class RangedResponses {

    private RangedResponses() {
    }

    static void send(Exchange exchange, long size, String contentType, String extraHeaders, BodySource whole) throws IOException {
        String headers = "Accept-Ranges: bytes\r\n" + extraHeaders;
        boolean headOnly = exchange.isHead();
        switch (RangeSelection.of(exchange.head().header("range"), size)) {
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
}
