package org.jitsu.server.architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The main sources of the modules, read as text, for the tests of the tree's rules. */
final class Sources {
    /** The repository root (the tests run in the module's directory). */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final List<String> MODULES = List.of("jitsu-xen", "jitsu-server", "jitsu-bench");

    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)(?:\\.\\*)?;", Pattern.MULTILINE);
    /** A name in code: a package ({@code io.netty.buffer}), possibly with a class ({@code org.jitsu.server.Main}). */
    private static final Pattern NAMED = Pattern.compile(
            "\\b((?:org|io|reactor)\\.[a-z]\\w*(?:\\.[a-z]\\w*)*(?:\\.[A-Z]\\w*)?)");

    private Sources() {
    }

    /** Every main source file but package-info, of every module under {@code root}, in order. */
    static List<Path> main(Path root) {
        return sourceFiles(root, "src/main/java");
    }

    /** Every test source file of every module under {@code root}, in order. */
    static List<Path> tests(Path root) {
        return sourceFiles(root, "src/test/java");
    }

    private static List<Path> sourceFiles(Path root, String tree) {
        List<Path> out = new ArrayList<>();
        for (String module : MODULES) {
            Path src = root.resolve(module).resolve(tree);
            if (Files.isDirectory(src)) {
                try (Stream<Path> files = Files.walk(src)) {
                    files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("package-info.java"))
                            .sorted().forEach(out::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return out;
    }

    /** The main sources of one package of jitsu-server, directly in it ({@code dns/authority}; "" = the root). */
    static List<Path> serverPackage(String pkg) {
        Path dir = ROOT.resolve("jitsu-server/src/main/java/org/jitsu/server").resolve(pkg);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no package " + dir);
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String packageOf(String text) {
        Matcher m = PACKAGE.matcher(text);
        return m.find() ? m.group(1) : "";
    }

    /** What the file imports (classes and packages of wildcard imports). */
    static List<String> imports(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = IMPORT.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** Every qualified name the code uses (imports and fully qualified names; not comments or strings). */
    static List<String> namesInCode(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = NAMED.matcher(code(text));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The text without comments, string literals and the package line, so that prose may name anything. */
    static String code(String text) {
        String noStrings = text.replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"");
        String noBlock = noStrings.replaceAll("(?s)/\\*.*?\\*/", "");
        return noBlock.replaceAll("//[^\n]*", "").replaceAll("(?m)^package [\\w.]+;", "");
    }

    /** The file's path from the repository root (or from {@code root}'s module folder in a test tree). */
    static String relative(Path file) {
        for (Path p = file; p != null; p = p.getParent()) {
            if (p.getFileName() != null && MODULES.contains(p.getFileName().toString())) {
                return p.getParent().relativize(file).toString();
            }
        }
        return file.toString();
    }
}
