package io.fttcp.apps.http;

import io.fttcp.api.AppRuntime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * {@code PUT|POST /upload[/name]}: reads the body (Content-Length or chunked), answers
 * {@code sha256=<hex> bytes=<n>}. The data is discarded, or stored under the upload
 * directory when there is one ({@code /upload/a/b} is stored as {@code <dir>/a/b}).
 */
final class UploadHandler implements Handler {

    static final String PATH = "/upload";

    private final Path uploadDir;
    private final BufferPool pool;
    private final AppRuntime runtime;

    /**
     * @param uploadDir absolute and normalized, or null to discard uploads
     * @param runtime names files: a backup replaying the primary must store under the same names
     */
    UploadHandler(Path uploadDir, BufferPool pool, AppRuntime runtime) {
        this.uploadDir = uploadDir;
        this.pool = pool;
        this.runtime = runtime;
    }

    static boolean matches(String path) {
        return path.equals(PATH) || path.startsWith(PATH + "/");
    }

    @Override
    public void handle(Exchange exchange) throws IOException, HttpException {
        // From the runtime (the connection's logged values), not a counter the connections race for.
        String unique = uploadDir == null ? null : Long.toHexString(runtime.randomSeed());
        Path target;
        Path partial;
        FileChannel store;
        try {
            target = storeTarget(exchange.target().path(), unique);
            // Written beside the target and renamed when complete: an interrupted upload leaves no half file.
            partial = target == null ? null : target.resolveSibling(".part-" + unique);
            store = partial == null ? null : FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileSystemException e) {
            throw cannotStore(e);
        }
        MessageDigest sha256 = Generator.newSha256();
        long total = 0;
        boolean complete = false;
        ByteBuffer buffer = pool.acquire();
        try (store) {
            String expect = exchange.head().header("expect");
            if (expect != null) {
                if (!expect.trim().equalsIgnoreCase("100-continue")) {
                    throw new HttpException(417, "only 'Expect: 100-continue' is supported", true);
                }
                if (exchange.head().minorVersion() >= 1) {
                    exchange.response().sendContinue();
                }
            }
            while (true) {
                buffer.clear();
                int n = exchange.body().read(buffer);
                if (n < 0) {
                    break;
                }
                total += n;
                buffer.flip();
                if (store != null) {
                    while (buffer.hasRemaining()) {
                        store.write(buffer);
                    }
                    buffer.flip(); // back over the same bytes for the digest
                }
                sha256.update(buffer);
            }
            complete = true;
        } finally {
            pool.release(buffer);
            if (partial != null && !complete) {
                Files.deleteIfExists(partial);
            }
        }
        if (partial != null) {
            try {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileSystemException e) {
                Files.deleteIfExists(partial);
                throw cannotStore(e);
            }
        }
        String answer = "sha256=" + HexFormat.of().formatHex(sha256.digest()) + " bytes=" + total + "\n";
        exchange.response().sendText(200, answer, "", exchange.close(), false);
    }

    /**
     * The file system refused the name the client asked for (a file where a directory must be, a
     * name too long, no permission): an answer for the client, where an I/O failure would end
     * the connection as if the client had gone.
     */
    private static HttpException cannotStore(FileSystemException e) {
        String reason = e.getReason() == null ? e.getClass().getSimpleName() : e.getReason();
        return e instanceof FileAlreadyExistsException || e instanceof NotDirectoryException
                ? new HttpException(409, "cannot store the upload there: a file is in the way", false)
                : new HttpException(403, "cannot store the upload there: " + reason, false);
    }

    /** Where the upload to {@code requestPath} is stored, or null if uploads are discarded. */
    private Path storeTarget(String requestPath, String unique) throws IOException, HttpException {
        if (uploadDir == null) {
            return null;
        }
        String name = requestPath.length() > PATH.length() + 1 ? requestPath.substring(PATH.length() + 1) : "";
        Path file = name.isBlank() || name.endsWith("/")
                ? uploadDir.resolve("upload-" + runtime.currentTimeMillis() + "-" + unique)
                : SafePath.resolve(uploadDir, "/" + name);
        Files.createDirectories(file.getParent());
        if (Files.isDirectory(file)) {
            throw new HttpException(403, "upload target is a directory", false);
        }
        return file;
    }
}
