package org.jitsu.backend.process;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;

/**
 * A validated {@code process:} section of a service.
 *
 * @param argv the command; {@code argv[0]} is the resolved absolute executable
 * @param directory the working directory, when given
 * @param environment variables added to Jitsu's own environment
 * @param log the file stdout and stderr are appended to
 */
record ProcessSpec(List<String> argv, Optional<Path> directory, Map<String, String> environment, Path log) {

    ProcessSpec {
        argv = List.copyOf(argv);
        Objects.requireNonNull(directory, "directory");
        environment = Map.copyOf(environment);
        Objects.requireNonNull(log, "log");
    }

    /** The resolved executable. */
    Path executable() {
        return Path.of(argv.get(0));
    }

    /**
     * Validates {@code spec}.
     *
     * @param serviceId names the default log file
     * @param stateDir the backend's state directory
     * @param inheritedPath Jitsu's own {@code PATH}, used unless the spec's environment sets one
     * @throws ConfigException naming the key when a value is invalid
     */
    static ProcessSpec parse(String serviceId, Settings spec, Path stateDir, String inheritedPath) {
        spec.allowOnly("command", "directory", "environment", "log");
        if (!spec.has("command")) {
            throw new ConfigException(spec.keyPath("command"), null,
                    "a list of strings: the program and its arguments, such as [busybox, httpd, -f]");
        }
        List<String> command = spec.strings("command");
        if (command.isEmpty()) {
            throw new ConfigException(spec.keyPath("command"), "[]",
                    "a list of strings: the program and its arguments, such as [busybox, httpd, -f]");
        }

        Optional<Path> directory = spec.optString("directory").map(d -> {
            Path p = path(spec.keyPath("directory"), d);
            if (!Files.isDirectory(p)) {
                throw new ConfigException(spec.keyPath("directory"), d, "an existing directory");
            }
            return p.toAbsolutePath();
        });

        Settings env = spec.child("environment");
        Map<String, String> environment = new LinkedHashMap<>();
        for (String key : env.keys()) {
            if (key.isEmpty() || key.indexOf('=') >= 0) {
                throw new ConfigException(env.keyPath(key), key, "an environment variable name without '='");
            }
            Object raw = env.raw(key).orElse(null);
            if (raw == null || raw instanceof Map || raw instanceof List) {
                throw new ConfigException(env.keyPath(key), raw, "a string");
            }
            environment.put(key, String.valueOf(raw));
        }

        String pathVariable = environment.getOrDefault("PATH", inheritedPath == null ? "" : inheritedPath);
        Path cwd = directory.orElse(Path.of("").toAbsolutePath());
        String program = command.get(0);
        Path executable = Executables.find(program, pathVariable, cwd)
                .orElseThrow(() -> new ConfigException(spec.keyPath("command") + "[0]", program,
                        Executables.notFoundHint(program)));
        List<String> argv = new ArrayList<>(command);
        argv.set(0, executable.toString());

        Path log = spec.optString("log")
                .map(l -> stateDir.resolve(path(spec.keyPath("log"), l)))
                .orElse(stateDir.resolve("logs").resolve(serviceId + ".log"));
        if (Files.isDirectory(log)) {
            throw new ConfigException(spec.keyPath("log"), log, "a file path, not a directory");
        }
        return new ProcessSpec(argv, directory, environment, log.toAbsolutePath());
    }

    private static Path path(String key, String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new ConfigException(key, text, "a file system path");
        }
    }
}
