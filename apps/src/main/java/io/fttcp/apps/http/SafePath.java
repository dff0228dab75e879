package io.fttcp.apps.http;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Maps a decoded request path to a file under a root directory, refusing any escape from it. */
final class SafePath {

    private SafePath() {
    }

    /**
     * @param root absolute and normalized
     * @throws HttpException 403 for '..' segments or a path that would leave {@code root}
     */
    static Path resolve(Path root, String decodedPath) throws HttpException {
        Path resolved = root;
        for (String segment : decodedPath.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                throw new HttpException(403, "'..' is not allowed in paths", false);
            }
            try {
                resolved = resolved.resolve(segment);
            } catch (InvalidPathException e) {
                throw new HttpException(404, "no such file", false);
            }
        }
        if (!resolved.normalize().startsWith(root)) {
            throw new HttpException(403, "path leaves the served directory", false);
        }
        return resolved;
    }
}
