package org.jitsu.backend.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * What a pidfile says: the pid and the process's start time. The start time tells our process apart
 * from an unrelated one that got the same pid after ours died.
 *
 * <p>File format: one line, {@code PID START} with START as an ISO-8601 instant.
 */
record PidFile(long pid, Instant started) {

    /** True when {@code pid} is alive now and started when this file says. */
    boolean matchesLiveProcess() {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return false;
        }
        Optional<Instant> start = h.get().info().startInstant();
        if (start.isEmpty() || start.get().toEpochMilli() != started.toEpochMilli()) {
            return false;
        }
        return ProcStat.read(pid).map(s -> !s.dead()).orElse(false);
    }

    /** The file's text without the line end: {@code PID START}; {@link #parse} reads it back. */
    String text() {
        return pid + " " + started;
    }

    /** Writes the file atomically: a temporary file in the same directory, then a rename. */
    void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text() + "\n", StandardCharsets.US_ASCII);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Reads a pidfile; empty when it is absent or unreadable (an unreadable file counts as stale). */
    static Optional<PidFile> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
        return parse(text);
    }

    /** Parses the text of a pidfile ({@code PID START}); empty when it is not one. */
    static Optional<PidFile> parse(String text) {
        String[] parts = text.strip().split("\\s+");
        if (parts.length != 2) {
            return Optional.empty();
        }
        try {
            return Optional.of(new PidFile(Long.parseLong(parts[0]), Instant.parse(parts[1])));
        } catch (NumberFormatException | DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
