package org.jitsu.backend.process;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Finds executables the way {@code execvp} would, without a shell: PATH is searched here. */
final class Executables {
    /** Debian 12 packages for commands a user is likely to name in a quick start. */
    private static final Map<String, String> DEBIAN_PACKAGES = Map.of(
            "busybox", "busybox",
            "python3", "python3",
            "socat", "socat",
            "nc", "netcat-openbsd");

    private Executables() {
    }

    /**
     * Resolves {@code name}: a name containing a slash is taken as a path (relative to {@code dir});
     * any other name is searched in the directories of {@code pathVariable}, in order.
     */
    static Optional<Path> find(String name, String pathVariable, Path dir) {
        try {
            if (name.indexOf('/') >= 0) {
                Path p = dir.resolve(name);
                return isExecutableFile(p) ? Optional.of(p.toAbsolutePath()) : Optional.empty();
            }
            for (String entry : pathVariable.split(":", -1)) {
                Path p = (entry.isEmpty() ? dir : dir.resolve(entry)).resolve(name);
                if (isExecutableFile(p)) {
                    return Optional.of(p.toAbsolutePath());
                }
            }
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    static boolean isExecutableFile(Path p) {
        return Files.isRegularFile(p) && Files.isExecutable(p);
    }

    /** What to tell a user whose command was not found: the Debian package when we know it. */
    static String notFoundHint(String name) {
        if (name.indexOf('/') >= 0) {
            return "an executable file (not found or not executable)";
        }
        String base = name;
        String pkg = DEBIAN_PACKAGES.get(base);
        if (pkg != null) {
            return "an executable on PATH (not found; on Debian 12: apt-get install -y " + pkg + ")";
        }
        return "an executable on PATH (not found; install it or give its absolute path)";
    }
}
