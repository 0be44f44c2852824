package org.jitsu.server.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the documentation honest: the README stays a front page (under 250 lines), and every relative
 * link in {@code README.md} and {@code docs/*.md} resolves to a file of the repository, and every
 * {@code #anchor} (same file or {@code file.md#anchor}) to a heading of its target, by GitHub's slug
 * rule. Links inside fenced code blocks and code spans are not links. The tests run in the module's
 * directory, so the repository root is {@code ..}.
 */
@Tag("fast")
class DocsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final int README_MAX_LINES = 250;

    private static final Pattern FENCE = Pattern.compile("^ {0,3}(`{3,}|~{3,})");
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)(?:(?!\\1).)+?\\1");
    /** {@code [text](target)} and {@code ![alt](target)}, with an optional title; target may be in {@code <>}. */
    private static final Pattern INLINE_LINK =
            Pattern.compile("\\[(?:[^\\[\\]]|\\[[^\\[\\]]*\\])*\\]\\(\\s*(<[^>]*>|[^\\s)]+)(?:\\s+(?:\"[^\"]*\"|'[^']*'))?\\s*\\)");
    /** A reference definition: {@code [label]: target}. */
    private static final Pattern REFERENCE = Pattern.compile("^ {0,3}\\[[^\\]]+\\]:\\s*(<[^>]*>|\\S+)");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}(?:\\s+(.*?))?(?:\\s+#+)?\\s*$");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

    @Test
    void theReadmeIsAFrontPage() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        assertThat(lines.size()).as("lines of README.md").isLessThan(README_MAX_LINES);
    }

    @Test
    void everyRelativeLinkAndAnchorInTheReadmeAndTheDocsResolves() throws IOException {
        List<Path> files = documentation(ROOT);
        assertThat(files).as("README.md and docs/*.md").hasSizeGreaterThan(1);
        assertThat(problems(ROOT, files)).isEmpty();
    }

    @Test
    void theDocsPagesTheReadmeNamesExist() {
        for (String page : List.of("architecture", "configuration", "operating", "cluster", "lab", "testing",
                "performance")) {
            assertThat(ROOT.resolve("docs/" + page + ".md")).isRegularFile();
        }
    }

    /** The checker itself finds what it must: a missing file, a missing anchor here and in another file. */
    @Test
    void brokenLinksAndAnchorsAreFound(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("docs"));
        Files.writeString(root.resolve("README.md"), String.join("\n",
                "# Jitsu for the JVM",
                "## Quick start",
                "[ok](docs/a.md) [ok](docs/a.md#the-embedded-stores-files) [ok](#quick-start)",
                "[missing](docs/missing.md) [bad anchor](docs/a.md#nowhere) [bad here](#nowhere-here)",
                "`[in a code span](docs/missing-too.md)` [web](https://example.com/x)",
                "```",
                "[in a fence](docs/missing-three.md)",
                "```",
                ""));
        Files.writeString(root.resolve("docs/a.md"), String.join("\n",
                "# A",
                "## The embedded store's files",
                "[up](../README.md#quick-start) [dup](#a-1) [image](../nothing.png)",
                "## A",
                ""));

        List<String> problems = problems(root, documentation(root));

        assertThat(problems).containsExactlyInAnyOrder(
                "README.md:4: docs/missing.md: no such file",
                "README.md:4: docs/a.md#nowhere: no heading with that anchor in docs/a.md",
                "README.md:4: #nowhere-here: no heading with that anchor in README.md",
                "docs/a.md:3: ../nothing.png: no such file");
    }

    @Test
    void slugsFollowGitHubsRule() {
        assertThat(slug("Backend `process` (the embedded default)")).isEqualTo("backend-process-the-embedded-default");
        assertThat(slug("The embedded store's files")).isEqualTo("the-embedded-stores-files");
        assertThat(slug("JMH (no sockets)")).isEqualTo("jmh-no-sockets");
        assertThat(slug("A real Xen host: config/xen.yml")).isEqualTo("a-real-xen-host-configxenyml");
        assertThat(slug("10 and 100,000 names")).isEqualTo("10-and-100000-names");
        assertThat(slug("netty-codec-dns")).isEqualTo("netty-codec-dns");
        assertThat(slug("Links [to the lab](lab.md) and *more*")).isEqualTo("links-to-the-lab-and-more");
        assertThat(slug("snake_case stays")).isEqualTo("snake_case-stays");
    }

    /** README.md and the Markdown files directly in docs/, sorted. */
    static List<Path> documentation(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(root.resolve("README.md"));
        Path docs = root.resolve("docs");
        if (Files.isDirectory(docs)) {
            try (Stream<Path> list = Files.list(docs)) {
                list.filter(p -> p.getFileName().toString().endsWith(".md") && Files.isRegularFile(p))
                        .sorted()
                        .forEach(files::add);
            }
        }
        return files;
    }

    /** One line per broken link: {@code FILE:LINE: TARGET: what is wrong}, FILE relative to root. */
    static List<String> problems(Path root, List<Path> files) throws IOException {
        Path base = root.toAbsolutePath().normalize();
        Map<Path, Set<String>> anchors = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            Path source = file.toAbsolutePath().normalize();
            String name = base.relativize(source).toString();
            List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
            for (int i : proseLines(lines)) {
                String line = lines.get(i);
                String text = CODE_SPAN.matcher(line).replaceAll("``");
                List<String> targets = new ArrayList<>();
                Matcher m = INLINE_LINK.matcher(text);
                while (m.find()) {
                    targets.add(m.group(1));
                }
                Matcher r = REFERENCE.matcher(text);
                if (r.find()) {
                    targets.add(r.group(1));
                }
                for (String target : targets) {
                    String problem = check(base, source, unbracket(target), anchors);
                    if (problem != null) {
                        problems.add(name + ":" + (i + 1) + ": " + target + ": " + problem);
                    }
                }
            }
        }
        return problems;
    }

    private static String unbracket(String target) {
        return target.startsWith("<") && target.endsWith(">") ? target.substring(1, target.length() - 1) : target;
    }

    /** Null when the link resolves, else what is wrong. */
    private static String check(Path base, Path source, String target, Map<Path, Set<String>> anchors)
            throws IOException {
        if (SCHEME.matcher(target).find() || target.startsWith("//")) {
            return null; // not relative: http:, https:, mailto:, ...
        }
        int hash = target.indexOf('#');
        String pathPart = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved;
        if (pathPart.isEmpty()) {
            resolved = source;
        } else if (pathPart.startsWith("/")) {
            return "an absolute path; use a relative link";
        } else {
            resolved = source.getParent().resolve(URLDecoder.decode(pathPart, StandardCharsets.UTF_8)).normalize();
        }
        if (!resolved.startsWith(base)) {
            return "outside the repository";
        }
        if (!Files.exists(resolved)) {
            return "no such file";
        }
        if (anchor == null) {
            return null;
        }
        if (!resolved.getFileName().toString().endsWith(".md") || !Files.isRegularFile(resolved)) {
            return "an anchor into a file that is not Markdown";
        }
        Set<String> known = anchors.get(resolved);
        if (known == null) {
            known = headingAnchors(Files.readAllLines(resolved, StandardCharsets.UTF_8));
            anchors.put(resolved, known);
        }
        return known.contains(URLDecoder.decode(anchor, StandardCharsets.UTF_8).toLowerCase())
                ? null
                : "no heading with that anchor in " + base.relativize(resolved);
    }

    /** The indexes of the lines outside fenced code blocks (the fence lines themselves excluded). */
    static List<Integer> proseLines(List<String> lines) {
        List<Integer> out = new ArrayList<>();
        String fence = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher f = FENCE.matcher(line);
            if (f.find()) {
                String marker = f.group(1);
                if (fence == null) {
                    fence = marker;
                    continue;
                }
                if (marker.charAt(0) == fence.charAt(0) && marker.length() >= fence.length()
                        && line.trim().equals(marker)) {
                    fence = null;
                    continue;
                }
            }
            if (fence == null) {
                out.add(i);
            }
        }
        return out;
    }

    /** The anchors GitHub gives a file's ATX headings (outside fences); repeats get -1, -2, ... */
    static Set<String> headingAnchors(List<String> lines) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i : proseLines(lines)) {
            String line = lines.get(i);
            Matcher h = HEADING.matcher(line);
            if (!h.matches()) {
                continue;
            }
            String slug = slug(h.group(1) == null ? "" : h.group(1));
            int n = seen.merge(slug, 1, Integer::sum) - 1;
            anchors.add(n == 0 ? slug : slug + "-" + n);
        }
        return anchors;
    }

    /**
     * GitHub's heading slug: the heading's text (a link counts by its text), lower case, every character
     * that is not a letter, digit, space, hyphen or underscore dropped, each space a hyphen.
     */
    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
        StringBuilder slug = new StringBuilder();
        text.toLowerCase().codePoints().forEach(c -> {
            if (c == ' ') {
                slug.append('-');
            } else if (Character.isLetterOrDigit(c) || c == '-' || c == '_'
                    || Character.getType(c) == Character.NON_SPACING_MARK) {
                slug.appendCodePoint(c);
            }
        });
        return slug.toString();
    }
}
