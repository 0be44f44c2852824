package org.jitsu.backend.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A xenstored for tests: the daemon's wire protocol on a Unix socket, as {@code libxenstore} speaks it
 * ({@code XENSTORED_PATH}). Messages are {@code struct xsd_sockmsg} (type, req_id, tx_id, len: four
 * native-endian 32-bit words) and a payload of NUL-separated strings; errors are {@code XS_ERROR} with
 * the errno's name ({@code "ENOENT"}). It keeps a tree of nodes with values and permissions; watches
 * fire once when set and then for every change at or below their path (and for nodes below a removed
 * one); transactions work on a copy of the tree and fail with {@code EAGAIN} when anything was
 * committed since they started. Every committed change is logged ({@link #log()}), a hook sees each one
 * as it is committed ({@link #onCommit}), and {@link #dropConnections()} cuts every client off as a
 * restarting daemon would. One thread per connection; this is a test's server, not a fast one.
 *
 * <p>Over 400 lines because it is one daemon: the wire format, the operations, the tree, watches and
 * transactions share one lock and one log, and split apart they would only pass them around.
 */
public final class XenstoredServer implements AutoCloseable {
    // the operations of xen/io/xs_wire.h that libxenstore sends (and the two the daemon sends back)
    static final int XS_CONTROL = 0;
    static final int XS_DIRECTORY = 1;
    static final int XS_READ = 2;
    static final int XS_GET_PERMS = 3;
    static final int XS_WATCH = 4;
    static final int XS_UNWATCH = 5;
    static final int XS_TRANSACTION_START = 6;
    static final int XS_TRANSACTION_END = 7;
    static final int XS_GET_DOMAIN_PATH = 10;
    static final int XS_WRITE = 11;
    static final int XS_MKDIR = 12;
    static final int XS_RM = 13;
    static final int XS_SET_PERMS = 14;
    static final int XS_WATCH_EVENT = 15;
    static final int XS_ERROR = 16;
    static final int XS_RESET_WATCHES = 21;
    static final int XS_DIRECTORY_PART = 22;
    private static final int HEADER = 16;
    private static final int MAX_PAYLOAD = 4096; // XENSTORE_PAYLOAD_MAX

    /** A committed change: WRITE, MKDIR, RM or PERMS, the path, the value (WRITE) or the permissions (PERMS). */
    public record Change(String op, String path, String value) {
    }

    private record Node(byte[] value, List<String> perms) {
    }

    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final List<Change> log = new CopyOnWriteArrayList<>();
    private final Map<Integer, Transaction> transactions = new ConcurrentHashMap<>();
    private volatile Consumer<Change> onCommit = c -> { };
    private final Object watchMonitor = new Object();
    private TreeMap<String, Node> tree = new TreeMap<>();
    private long generation;
    private int nextTransaction = 1;
    private volatile boolean closed;

    private final class Transaction {
        final long startGeneration;
        final TreeMap<String, Node> copy;
        final List<Change> changes = new ArrayList<>();

        Transaction(long startGeneration, TreeMap<String, Node> copy) {
            this.startGeneration = startGeneration;
            this.copy = copy;
        }
    }

    private XenstoredServer(Path socket) throws IOException {
        this.socket = socket;
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        tree.put("/", new Node(new byte[0], List.of("n0")));
        acceptor = new Thread(this::accept, "xenstored-test-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A server listening on {@code socket} (an old socket file there is replaced). */
    public static XenstoredServer start(Path socket) {
        try {
            return new XenstoredServer(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path socket() {
        return socket;
    }

    /** Every change committed so far, in order. */
    public List<Change> log() {
        return List.copyOf(log);
    }

    /** Runs {@code hook} with each change as it is committed, before the client gets its answer. */
    public void onCommit(Consumer<Change> hook) {
        this.onCommit = hook;
    }

    /** What {@code path} holds now, as a client with every permission would read it. */
    public synchronized Optional<String> value(String path) {
        Node n = tree.get(path);
        return n == null ? Optional.empty() : Optional.of(new String(n.value, StandardCharsets.UTF_8));
    }

    /** Writes as a guest would: {@code path} gets {@code value} (its parents made), watches fire. */
    public void guestWrite(String path, String value) {
        List<Change> changes = new ArrayList<>();
        synchronized (this) {
            write(tree, path, value.getBytes(StandardCharsets.UTF_8), changes);
            generation++;
        }
        commit(changes);
    }

    /**
     * Waits (up to {@code timeout}) until some client has a watch set on {@code path}; false when none did.
     * Woken by the watch's arrival, not polled.
     */
    public boolean awaitWatch(String path, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (watchMonitor) {
            while (connections.stream().noneMatch(c -> c.watches.stream().anyMatch(w -> w[0].equals(path)))) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(watchMonitor, left);
            }
            return true;
        }
    }

    /** Empties the tree (the root stays) and the log, for the next test; connections and watches stay. */
    public synchronized void reset() {
        tree = new TreeMap<>();
        tree.put("/", new Node(new byte[0], List.of("n0")));
        log.clear();
        generation++;
    }

    /** Clients connected now. */
    public int clients() {
        return connections.size();
    }

    /** Closes every client connection, as a daemon that restarts would; the tree stays. */
    public void dropConnections() {
        for (Connection c : connections) {
            c.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        dropConnections();
        try {
            acceptor.join(5_000);
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void accept() {
        while (!closed) {
            try {
                SocketChannel ch = server.accept();
                Connection c = new Connection(ch);
                connections.add(c);
                Thread t = new Thread(c::serve, "xenstored-test-conn");
                t.setDaemon(true);
                t.start();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /** Tells every watch at or above {@code change.path} (or below it, for a removal), then the hook and the log. */
    private void commit(List<Change> changes) {
        for (Change c : changes) {
            log.add(c);
            onCommit.accept(c);
            for (Connection conn : connections) {
                conn.fire(c);
            }
        }
    }

    private final class Connection {
        private final SocketChannel ch;
        private final List<String[]> watches = new CopyOnWriteArrayList<>(); // {path, token}
        private final Object writeLock = new Object();

        Connection(SocketChannel ch) {
            this.ch = ch;
        }

        void serve() {
            ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.nativeOrder());
            try {
                while (true) {
                    header.clear();
                    if (!readFully(header)) {
                        return;
                    }
                    header.flip();
                    int type = header.getInt();
                    int reqId = header.getInt();
                    int txId = header.getInt();
                    int len = header.getInt();
                    if (len < 0 || len > MAX_PAYLOAD) {
                        return; // xenstored drops a client that sends this
                    }
                    ByteBuffer body = ByteBuffer.allocate(len);
                    if (!readFully(body)) {
                        return;
                    }
                    handle(type, reqId, txId, body.array());
                }
            } catch (IOException e) {
                // the client went away, or the test dropped it
            } finally {
                close();
            }
        }

        private boolean readFully(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                if (ch.read(b) < 0) {
                    return false;
                }
            }
            return true;
        }

        void close() {
            connections.remove(this);
            try {
                ch.close();
            } catch (IOException e) {
                // closing anyway
            }
        }

        void fire(Change c) {
            for (String[] w : watches) {
                boolean atOrBelow = c.path().equals(w[0]) || c.path().startsWith(w[0].endsWith("/") ? w[0] : w[0] + "/");
                boolean removedAbove = c.op().equals("RM") && w[0].startsWith(c.path() + "/");
                if (atOrBelow || removedAbove) {
                    send(XS_WATCH_EVENT, 0, 0, strings(removedAbove ? w[0] : c.path(), w[1]));
                }
            }
        }

        private void handle(int type, int reqId, int txId, byte[] payload) {
            String[] args = split(payload);
            try {
                byte[] reply = switch (type) {
                    case XS_READ -> read(txId, args[0]);
                    case XS_WRITE -> {
                        int nul = indexOf(payload, (byte) 0);
                        String path = new String(payload, 0, nul, StandardCharsets.UTF_8);
                        byte[] value = Arrays.copyOfRange(payload, nul + 1, payload.length);
                        change(txId, tree -> write(tree, path, value, null), "WRITE", path,
                                new String(value, StandardCharsets.UTF_8));
                        yield ok();
                    }
                    case XS_MKDIR -> {
                        change(txId, t -> mkdir(t, args[0]), "MKDIR", args[0], "");
                        yield ok();
                    }
                    case XS_RM -> {
                        change(txId, t -> rm(t, args[0]), "RM", args[0], "");
                        yield ok();
                    }
                    case XS_DIRECTORY, XS_DIRECTORY_PART -> directory(txId, args[0], type == XS_DIRECTORY_PART);
                    case XS_GET_PERMS -> getPerms(txId, args[0]);
                    case XS_SET_PERMS -> {
                        List<String> perms = List.of(args).subList(1, args.length);
                        change(txId, t -> setPerms(t, args[0], perms), "PERMS", args[0], String.join(",", perms));
                        yield ok();
                    }
                    case XS_WATCH -> {
                        watches.add(new String[] {args[0], args[1]});
                        synchronized (watchMonitor) {
                            watchMonitor.notifyAll();
                        }
                        send(XS_WATCH, reqId, txId, ok());
                        send(XS_WATCH_EVENT, 0, 0, strings(args[0], args[1])); // fires once when set
                        yield null;
                    }
                    case XS_UNWATCH -> {
                        watches.removeIf(w -> w[0].equals(args[0]) && w[1].equals(args[1]));
                        yield ok();
                    }
                    case XS_RESET_WATCHES -> {
                        watches.clear();
                        yield ok();
                    }
                    case XS_TRANSACTION_START -> strings(Integer.toString(startTransaction()));
                    case XS_TRANSACTION_END -> {
                        endTransaction(txId, args.length > 0 && args[0].equals("T"));
                        yield ok();
                    }
                    case XS_GET_DOMAIN_PATH -> strings("/local/domain/" + args[0]);
                    case XS_CONTROL -> ok();
                    default -> throw new Errno("EINVAL");
                };
                if (reply != null) {
                    send(type, reqId, txId, reply);
                }
            } catch (Errno e) {
                send(XS_ERROR, reqId, txId, strings(e.getMessage()));
            }
        }

        private void send(int type, int reqId, int txId, byte[] payload) {
            ByteBuffer b = ByteBuffer.allocate(HEADER + payload.length).order(ByteOrder.nativeOrder());
            b.putInt(type).putInt(reqId).putInt(txId).putInt(payload.length).put(payload).flip();
            synchronized (writeLock) {
                try {
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                } catch (IOException e) {
                    close();
                }
            }
        }
    }

    // ---- the tree (callers hold this server's lock, or own the transaction's copy)

    private static final class Errno extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Errno(String name) {
            super(name, null, false, false);
        }
    }

    private interface Mutation {
        void apply(TreeMap<String, Node> tree);
    }

    private void change(int txId, Mutation m, String op, String path, String value) {
        checkPath(path);
        if (txId != 0) {
            Transaction t = transactions.get(txId);
            if (t == null) {
                throw new Errno("ENOENT");
            }
            synchronized (t) {
                m.apply(t.copy);
                t.changes.add(new Change(op, path, value));
            }
            return;
        }
        synchronized (this) {
            m.apply(tree);
            generation++;
        }
        commit(List.of(new Change(op, path, value)));
    }

    private synchronized TreeMap<String, Node> view(int txId) {
        if (txId == 0) {
            return tree;
        }
        Transaction t = transactions.get(txId);
        if (t == null) {
            throw new Errno("ENOENT");
        }
        return t.copy;
    }

    private byte[] read(int txId, String path) {
        synchronized (this) {
            Node n = view(txId).get(path);
            if (n == null) {
                throw new Errno("ENOENT");
            }
            return n.value.clone();
        }
    }

    private byte[] directory(int txId, String path, boolean part) {
        synchronized (this) {
            TreeMap<String, Node> t = view(txId);
            if (!t.containsKey(path)) {
                throw new Errno("ENOENT");
            }
            String prefix = path.equals("/") ? "/" : path + "/";
            List<String> children = new ArrayList<>();
            for (String p : t.tailMap(prefix, false).keySet()) {
                if (!p.startsWith(prefix)) {
                    break;
                }
                String rest = p.substring(prefix.length());
                if (!rest.isEmpty() && rest.indexOf('/') < 0) {
                    children.add(rest);
                }
            }
            if (part) { // generation, then the children, then an empty string
                List<String> out = new ArrayList<>();
                out.add(Long.toString(generation));
                out.addAll(children);
                out.add("");
                return strings(out.toArray(String[]::new));
            }
            return strings(children.toArray(String[]::new));
        }
    }

    private byte[] getPerms(int txId, String path) {
        synchronized (this) {
            Node n = view(txId).get(path);
            if (n == null) {
                throw new Errno("ENOENT");
            }
            return strings(n.perms.toArray(String[]::new));
        }
    }

    private static void write(TreeMap<String, Node> tree, String path, byte[] value, List<Change> changes) {
        mkParents(tree, path);
        Node old = tree.get(path);
        tree.put(path, new Node(value, old == null ? List.of("n0") : old.perms));
        if (changes != null) {
            changes.add(new Change("WRITE", path, new String(value, StandardCharsets.UTF_8)));
        }
    }

    private static void mkdir(TreeMap<String, Node> tree, String path) {
        mkParents(tree, path);
        tree.putIfAbsent(path, new Node(new byte[0], List.of("n0")));
    }

    private static void rm(TreeMap<String, Node> tree, String path) {
        if (!tree.containsKey(path)) {
            throw new Errno("ENOENT");
        }
        tree.remove(path);
        tree.subMap(path + "/", path + "0").clear(); // '0' is the character after '/'
    }

    private static void setPerms(TreeMap<String, Node> tree, String path, List<String> perms) {
        Node n = tree.get(path);
        if (n == null) {
            throw new Errno("ENOENT");
        }
        for (String p : perms) {
            if (p.length() < 2 || "nrwb".indexOf(p.charAt(0)) < 0 || !p.substring(1).chars().allMatch(Character::isDigit)) {
                throw new Errno("EINVAL");
            }
        }
        tree.put(path, new Node(n.value, List.copyOf(perms)));
    }

    private static void mkParents(TreeMap<String, Node> tree, String path) {
        for (int i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) {
            tree.putIfAbsent(path.substring(0, i), new Node(new byte[0], List.of("n0")));
        }
    }

    private static void checkPath(String path) {
        if (!path.startsWith("/") || path.contains("//") || (path.length() > 1 && path.endsWith("/"))) {
            throw new Errno("EINVAL");
        }
    }

    private synchronized int startTransaction() {
        int id = nextTransaction++;
        transactions.put(id, new Transaction(generation, new TreeMap<>(tree)));
        return id;
    }

    private void endTransaction(int txId, boolean commit) {
        Transaction t = transactions.remove(txId);
        if (t == null) {
            throw new Errno("ENOENT");
        }
        if (!commit) {
            return;
        }
        List<Change> changes;
        synchronized (this) {
            if (generation != t.startGeneration) {
                throw new Errno("EAGAIN"); // something was committed meanwhile: the client runs it again
            }
            if (t.changes.isEmpty()) {
                return;
            }
            tree = t.copy;
            generation++;
            changes = List.copyOf(t.changes);
        }
        commit(changes);
    }

    // ---- payloads

    private static byte[] ok() {
        return strings("OK");
    }

    /** Each string followed by a NUL. */
    static byte[] strings(String... values) {
        StringBuilder b = new StringBuilder();
        for (String v : values) {
            b.append(v).append('\0');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String[] split(byte[] payload) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < payload.length; i++) {
            if (payload[i] == 0) {
                out.add(new String(payload, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < payload.length) {
            out.add(new String(payload, start, payload.length - start, StandardCharsets.UTF_8));
        }
        return out.toArray(String[]::new);
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        throw new Errno("EINVAL");
    }
}
