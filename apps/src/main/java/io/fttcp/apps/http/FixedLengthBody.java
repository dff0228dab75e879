package io.fttcp.apps.http;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A body of a length announced by Content-Length. */
final class FixedLengthBody implements RequestBody {

    private final SocketInput in;
    private long remaining;

    FixedLengthBody(SocketInput in, long length) {
        this.in = in;
        this.remaining = length;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException, HttpException {
        if (remaining == 0) {
            return -1;
        }
        int n = in.readSome(dst, remaining);
        remaining -= n;
        return n;
    }

    @Override
    public boolean isComplete() {
        return remaining == 0;
    }
}
