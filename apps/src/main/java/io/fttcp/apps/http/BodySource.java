package io.fttcp.apps.http;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Produces response body bytes on demand, so bodies stream through one reused buffer. */
@FunctionalInterface
interface BodySource {

    /** Puts exactly {@code length} bytes, starting at {@code offset} of the body, into {@code dst}. */
    void fill(long offset, ByteBuffer dst, int length) throws IOException;
}
