package io.fttcp.roles.takeover;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Loads and initializes the classes of the given packages ahead of need: a backup's takeover
 * runs code its JVM never ran (going live, adopting connections, logging on), and loading those
 * classes there, inside the takeover, was most of its 10 to 40 ms (profiled): the clients'
 * stall. Classes are found where the {@code anchors} came from (the fttcp jar; the modules' jars
 * or classes directories in tests); a class that fails to load is skipped (this is only a warm-up).
 */
public final class ClassPreload {
    private ClassPreload() {}

    /** Loads every class under {@code packages} (dotted prefixes, e.g. "io.fttcp.wrappers."); returns how many. */
    public static int run(List<Class<?>> anchors, List<String> packages) {
        java.util.Set<Path> locations = new java.util.LinkedHashSet<>();
        for (Class<?> anchor : anchors) {
            CodeSource source = anchor.getProtectionDomain().getCodeSource();
            try {
                if (source != null) locations.add(Path.of(source.getLocation().toURI()));
            } catch (URISyntaxException | RuntimeException e) {
                // not a file: nothing to preload from there
            }
        }
        List<String> names = new ArrayList<>();
        for (Path location : locations) {
            try {
                names.addAll(classNames(location));
            } catch (IOException | RuntimeException e) {
                // unreadable: skipped
            }
        }
        ClassLoader loader = anchors.getFirst().getClassLoader();
        int loaded = 0;
        for (String name : names) {
            if (packages.stream().noneMatch(name::startsWith)) continue;
            try {
                Class.forName(name, true, loader);
                loaded++;
            } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
                // not needed, or not loadable on its own here: the takeover loads it if it must
            }
        }
        return loaded;
    }

    private static List<String> classNames(Path location) throws IOException {
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(location)) {
            try (Stream<Path> files = Files.walk(location)) {
                files.filter(p -> p.toString().endsWith(".class")).forEach(p -> names.add(className(location.relativize(p).toString())));
            }
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                    String entry = e.nextElement().getName();
                    if (entry.endsWith(".class") && !entry.startsWith("META-INF/")) names.add(className(entry));
                }
            }
        }
        return names;
    }

    private static String className(String path) {
        return path.substring(0, path.length() - ".class".length()).replace('/', '.').replace('\\', '.');
    }
}
