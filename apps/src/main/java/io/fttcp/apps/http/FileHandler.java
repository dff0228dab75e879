package io.fttcp.apps.http;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** {@code GET|HEAD} of a regular file under the root directory, streamed (never read whole). */
final class FileHandler implements Handler {

    private final Path root;
    private final Path realRoot;

    /** @param root absolute and normalized, or null: no files are served */
    FileHandler(Path root) throws IOException {
        this.root = root;
        this.realRoot = root == null ? null : root.toRealPath();
    }

    @Override
    public void handle(Exchange exchange) throws IOException, HttpException {
        if (root == null) {
            throw new HttpException(404, "this server serves no files (no root directory)", false);
        }
        Path file = SafePath.resolve(root, exchange.target().path());
        if (Files.isDirectory(file)) {
            Path index = file.resolve("index.html");
            if (!Files.isRegularFile(index)) {
                throw new HttpException(404, "no such file (directories are not listed)", false);
            }
            file = index;
        }
        if (!Files.isRegularFile(file)) {
            throw new HttpException(404, "no such file", false);
        }
        Path real = file.toRealPath();
        // A symbolic link inside the root must not lead outside it.
        if (!real.startsWith(realRoot)) {
            throw new HttpException(403, "path leaves the served directory", false);
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(real, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new HttpException(404, "no such file", false);
        } catch (AccessDeniedException e) {
            throw new HttpException(403, "file not readable", false);
        }
        try (channel) {
            long size = channel.size();
            String contentType = ContentTypes.forFileName(file.getFileName().toString());
            var lastModified = RangedResponses.Validator.lastModified(HttpDate.of(Files.getLastModifiedTime(file).toInstant()));
            FileChannel source = channel;
            RangedResponses.send(exchange, size, contentType, lastModified, (offset, dst, length) -> readFully(source, offset, dst, length));
        }
    }

    private static void readFully(FileChannel channel, long position, ByteBuffer dst, int length) throws IOException {
        int savedLimit = dst.limit();
        dst.limit(dst.position() + length);
        try {
            long pos = position;
            while (dst.hasRemaining()) {
                int n = channel.read(dst, pos);
                if (n < 0) {
                    throw new EOFException("file shrank while it was being sent");
                }
                pos += n;
            }
        } finally {
            dst.limit(savedLimit);
        }
    }
}
