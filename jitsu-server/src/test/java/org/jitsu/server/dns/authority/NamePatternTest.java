package org.jitsu.server.dns.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("fast")
class NamePatternTest {
    private static DomainName name(String text) {
        return DomainName.of(text);
    }

    @Test
    void oneCaptureMatchesOneLabelAndNothingDeeperOrShallower() {
        NamePattern p = NamePattern.parse("{page}.pages.example.test", List.of());
        assertThat(p.suffix()).isEqualTo(name("pages.example.test"));
        assertThat(p.captureNames()).containsExactly("page");
        assertThat(p.match(name("a.pages.example.test"))).contains(List.of("a"));
        assertThat(p.match(name("A.Pages.Example.Test"))).as("names are canonical: case folded").contains(List.of("a"));
        assertThat(p.match(name("x.a.pages.example.test"))).isEmpty();
        assertThat(p.match(name("pages.example.test"))).isEmpty();
        assertThat(p.match(name("a.other.example.test"))).isEmpty();
        assertThat(p.fill(List.of("a"))).isEqualTo(name("a.pages.example.test"));
    }

    @Test
    void twoCapturesAndAWildcard() {
        NamePattern p = NamePattern.parse("{page}.{site}.example.test", List.of());
        assertThat(p.match(name("home.blog.example.test"))).contains(List.of("home", "blog"));
        assertThat(p.suffix()).isEqualTo(name("example.test"));
        NamePattern star = NamePattern.parse("*.pages.example.test", List.of());
        assertThat(star.captureNames()).containsExactly("label");
        assertThat(star.match(name("z9.pages.example.test"))).contains(List.of("z9"));
        NamePattern inner = NamePattern.parse("www.{site}.example.test", List.of());
        assertThat(inner.match(name("www.blog.example.test"))).contains(List.of("blog"));
        assertThat(inner.match(name("ftp.blog.example.test"))).isEmpty();
    }

    @Test
    void aCapturedLabelMustPassItsRule() {
        NamePattern host = NamePattern.parse("{page}.pages.example.test", List.of());
        assertThat(host.match(name("x_y.pages.example.test"))).as("not a host label").isEmpty();
        assertThat(host.match(name("-a.pages.example.test"))).isEmpty();
        assertThat(host.match(name("a-b.pages.example.test"))).contains(List.of("a-b"));

        NamePattern ruled = NamePattern.parse("{page}.pages.example.test", List.of(
                new NamePattern.Rule("page", Pattern.compile("p[0-9]+"), 4, Set.of("p0"))));
        assertThat(ruled.match(name("p12.pages.example.test"))).contains(List.of("p12"));
        assertThat(ruled.match(name("p12345.pages.example.test"))).as("longer than 4").isEmpty();
        assertThat(ruled.match(name("p0.pages.example.test"))).as("reserved").isEmpty();
        assertThat(ruled.match(name("q1.pages.example.test"))).as("regex").isEmpty();
    }

    @Test
    void badPatternsSayWhatIsWrong() {
        assertThatThrownBy(() -> NamePattern.parse("pages.example.test", List.of())).hasMessageContaining("captures nothing");
        assertThatThrownBy(() -> NamePattern.parse("{a}.{a}.example.test", List.of())).hasMessageContaining("appears twice");
        assertThatThrownBy(() -> NamePattern.parse("p{a}.example.test", List.of())).hasMessageContaining("mixes text");
        assertThatThrownBy(() -> NamePattern.parse("example.{tld}", List.of())).hasMessageContaining("ends in a capture");
        assertThatThrownBy(() -> NamePattern.parse("{a}..example.test", List.of())).hasMessageContaining("empty label");
        assertThatThrownBy(() -> NamePattern.parse("{a}.example.test", List.of(NamePattern.Rule.host("b"))))
                .hasMessageContaining("a rule for {b}");
    }
}
