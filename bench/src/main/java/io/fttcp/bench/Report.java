package io.fttcp.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** Lines printed to the console as they come and kept for the results file. */
public final class Report {
    private final PrintWriter out;
    private final StringBuilder kept = new StringBuilder();

    public Report(PrintWriter out) {
        this.out = out;
    }

    public void line(String line) {
        out.println(line);
        out.flush();
        kept.append(line).append('\n');
    }

    public void writeTo(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, kept);
    }
}
