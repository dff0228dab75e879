package io.fttcp.apps.http;

import java.io.IOException;

/** Answers one kind of request. Throws {@link HttpException} only before anything was sent. */
interface Handler {

    void handle(Exchange exchange) throws IOException, HttpException;
}
