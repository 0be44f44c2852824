package org.jitsu.server.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import org.jitsu.server.core.ServiceStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.representer.Representer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The embedded {@link StateStore}: the state lives in memory and is written as a whole to
 * {@code state.yml} in its directory, through {@code state.yml.tmp}: write, force to disk, atomic rename,
 * force the directory. A crash at any point leaves either the old or the new file, never a torn one, so
 * nothing acknowledged is lost. Writes are group-committed: changes made while a write is in progress are
 * written together by the next one. All file I/O runs on one thread of the store's own.
 *
 * <p>A service record's write waits {@link #RECORD_LINGER} before it starts, so that the records of one
 * boot (BOOTING, then RUNNING a few milliseconds later, often a stop soon after) become one write after
 * the boot instead of two or three during it: each write costs about a millisecond of CPU on a small
 * machine (the rendering and the two forced writes), which a boot in flight would otherwise share its
 * cores with. Nothing waits for a record to be durable first (see the pipeline's
 * {@code ServiceJournal}); registered services are written at once.
 */
final class EmbeddedStore implements StateStore {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedStore.class);
    static final String FILE = "state.yml";
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** How long a record's write waits for others to join it. */
    static final Duration RECORD_LINGER = Duration.ofMillis(50);

    private final Path directory;
    private final Path file;
    private final Path tmp;
    private final String instanceId;
    private final Scheduler io;
    private final Duration recordLinger;
    /** Where the linger is timed: the io thread, or a test's virtual clock. */
    private final Scheduler lingerTimer;
    private final Mono<Void> loaded;
    private final Sinks.Many<Map.Entry<String, Optional<String>>> changes =
            Sinks.many().multicast().directBestEffort();

    private final Object lock = new Object();
    // guarded by lock
    private final Map<String, String> services = new LinkedHashMap<>();
    private final Map<String, ServiceRecord> records = new LinkedHashMap<>();
    private long version;
    // written only on the io thread
    private volatile long persisted;
    private volatile long writes;
    /** Built once (building a SnakeYAML dumper per write cost more than the dump); only on the io thread. */
    private final Yaml dumper = blockStyle();

    EmbeddedStore(Path directory, String instanceId) {
        this(directory, instanceId, RECORD_LINGER, Optional.empty());
    }

    /** With another linger for record writes, timed on {@code lingerTimer} (default: the io thread). */
    EmbeddedStore(Path directory, String instanceId, Duration recordLinger, Optional<Scheduler> lingerTimer) {
        this.directory = directory;
        this.file = directory.resolve(FILE);
        this.tmp = directory.resolve(FILE + ".tmp");
        this.instanceId = instanceId;
        this.io = Schedulers.newSingle("jitsu-store-io", true);
        this.recordLinger = recordLinger;
        this.lingerTimer = lingerTimer.orElse(io);
        this.loaded = Mono.<Void>fromRunnable(this::load).subscribeOn(io).cache();
    }

    @Override
    public String instanceId() {
        return instanceId;
    }

    @Override
    public String describe() {
        return "embedded " + file;
    }

    @Override
    public Mono<Map<String, String>> services() {
        return loaded.then(Mono.fromCallable(() -> {
            synchronized (lock) {
                return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(services));
            }
        }));
    }

    @Override
    public Mono<Void> putService(String id, String spec) {
        return write(() -> services.put(id, spec)).doOnSuccess(v -> changes.tryEmitNext(
                new AbstractMap.SimpleImmutableEntry<>(id, Optional.of(spec))));
    }

    @Override
    public Mono<Boolean> removeService(String id) {
        return loaded.then(Mono.fromCallable(() -> {
            synchronized (lock) {
                if (services.remove(id) == null) {
                    return 0L;
                }
                return ++version;
            }
        })).flatMap(v -> v == 0L ? Mono.just(false) : flush(v).thenReturn(true))
                .doOnNext(removed -> {
                    if (removed) {
                        changes.tryEmitNext(new AbstractMap.SimpleImmutableEntry<>(id, Optional.empty()));
                    }
                });
    }

    @Override
    public Mono<Map<String, ServiceRecord>> records() {
        return loaded.then(Mono.fromCallable(() -> {
            synchronized (lock) {
                return Map.copyOf(records);
            }
        }));
    }

    @Override
    public Mono<Void> putRecord(ServiceRecord record) {
        return loaded.then(Mono.fromCallable(() -> {
            synchronized (lock) {
                records.put(record.id(), record);
                return ++version;
            }
        })).flatMap(v -> Mono.delay(recordLinger, lingerTimer).then(flush(v))
                // closed during the linger: close() wrote everything first, this record included
                .onErrorResume(RejectedExecutionException.class, e -> persisted >= v ? Mono.empty() : Mono.error(e)));
    }

    @Override
    public Mono<Void> deleteRecord(String id) {
        return loaded.then(Mono.fromCallable(() -> {
            synchronized (lock) {
                return records.remove(id) == null ? 0L : ++version;
            }
        })).flatMap(v -> v == 0L ? Mono.<Void>empty() : Mono.delay(recordLinger, lingerTimer).then(flush(v))
                .onErrorResume(RejectedExecutionException.class, e -> persisted >= v ? Mono.empty() : Mono.error(e)));
    }

    @Override
    public Flux<Map.Entry<String, Optional<String>>> serviceChanges() {
        return changes.asFlux();
    }

    /** Changes the memory under the lock, then has the io thread write a version at least that new. */
    private Mono<Void> write(Runnable change) {
        return loaded.then(Mono.fromCallable(() -> {
            synchronized (lock) {
                change.run();
                return ++version;
            }
        })).flatMap(this::flush);
    }

    private Mono<Void> flush(long upTo) {
        return Mono.<Void>fromRunnable(() -> {
            if (persisted >= upTo) {
                return; // written by an earlier flush together with other changes
            }
            long v;
            Map<String, String> servicesNow;
            ServiceRecord[] recordsNow;
            synchronized (lock) { // a copy under the lock; rendering (the expensive part) outside it
                v = version;
                servicesNow = new LinkedHashMap<>(services);
                recordsNow = records.values().toArray(new ServiceRecord[0]);
            }
            String text = render(servicesNow, recordsNow);
            writeAtomically(text);
            writes++;
            persisted = v;
        }).subscribeOn(io);
    }

    /** Files written so far (for tests). */
    long writes() {
        return writes;
    }

    // ---- the file

    /** The file's text; on the io thread only (the dumper is not thread-safe). */
    private String render(Map<String, String> services, ServiceRecord[] records) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", 1);
        doc.put("written-by", instanceId);
        doc.put("services", services);
        Map<String, Object> recs = new LinkedHashMap<>();
        for (ServiceRecord r : records) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("state", r.state().name());
            m.put("owner", r.owner());
            m.put("since", r.since());
            m.put("last-query", r.lastQuery());
            m.put("boots", r.boots());
            m.put("failures", r.failures());
            m.put("last-boot-ms", r.lastBootMillis());
            recs.put(r.id(), m);
        }
        doc.put("records", recs);
        return dumper.dump(doc);
    }

    private void writeAtomically(String text) {
        try {
            Files.createDirectories(directory);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + directory + " cannot rename atomically", e);
            }
            try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
                dir.force(true); // the rename itself is durable
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static Yaml blockStyle() {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(options);
    }

    private void load() {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            log.info("store: {} does not exist yet; starting empty", file);
            return;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            read(text);
        } catch (RuntimeException e) {
            // truncated or corrupted (the writes are atomic renames, so by hand or by a failing disk): say so
            // in one line, and what to do; nothing is overwritten
            log.debug("store: reading {} failed", file, e);
            // no cause: this line is what the operator reads (the start-up error shows the root cause's message)
            throw new IllegalStateException(file + ": not a readable Jitsu store file (" + firstLine(e)
                    + "); move it away to start with an empty store (registered services and counters are lost),"
                    + " or put back a copy");
        }
        log.info("store: loaded {} ({} registered services, {} service records)", file, services.size(),
                records.size());
    }

    private static String firstLine(Throwable e) {
        if (e instanceof MarkedYAMLException y && y.getProblemMark() != null) {
            return y.getProblem() + " at line " + (y.getProblemMark().getLine() + 1) + ", column "
                    + (y.getProblemMark().getColumn() + 1);
        }
        String m = String.valueOf(e.getMessage()).strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl).strip();
    }

    private void read(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Object data = new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()),
                new DumperOptions(), options).load(text);
        if (!(data instanceof Map<?, ?> doc)) {
            throw new IllegalStateException("expected a mapping");
        }
        synchronized (lock) {
            if (doc.get("services") instanceof Map<?, ?> s) {
                s.forEach((k, v) -> services.put(String.valueOf(k), String.valueOf(v)));
            }
            if (doc.get("records") instanceof Map<?, ?> rs) {
                rs.forEach((k, v) -> {
                    Map<?, ?> m = (Map<?, ?>) v;
                    records.put(String.valueOf(k), new ServiceRecord(String.valueOf(k),
                            ServiceStatus.State.valueOf(String.valueOf(m.get("state"))), String.valueOf(m.get("owner")),
                            number(m, "since"), number(m, "last-query"), number(m, "boots"), number(m, "failures"),
                            number(m, "last-boot-ms")));
                });
            }
        }
    }

    private static long number(Map<?, ?> m, String key) {
        Object v = m.get(key);
        return v instanceof Number n ? n.longValue() : -1L;
    }

    @Override
    public void close() {
        try {
            long v;
            synchronized (lock) {
                v = version;
            }
            flush(v).block(CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
            log.warn("store: final write failed: {}", e.toString());
        } finally {
            changes.tryEmitComplete();
            io.dispose();
        }
    }
}
