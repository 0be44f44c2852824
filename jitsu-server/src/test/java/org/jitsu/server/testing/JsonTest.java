package org.jitsu.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The test kit's JSON parser takes one well-formed value and nothing else: "parseable" means something. */
@Tag("fast")
class JsonTest {
    @Test
    void parsesOneValueWithItsEscapes() {
        assertThat(Json.object(" {\"a\":[1,-2.5e3,true,false,null],\"s\":\"q\\\"\\\\\\/\\n\\t\\u00e9\",\"o\":{}} "))
                .containsExactly(Map.entry("a", Arrays.asList(new BigDecimal("1"), new BigDecimal("-2.5e3"), true, false,
                        null)), Map.entry("s", "q\"\\/\n\té"), Map.entry("o", Map.of()));
        assertThat(Json.parse("[]")).isEqualTo(List.of());
    }

    @Test
    void rejectsWhatIsNotExactlyOneJsonValue() {
        for (String bad : List.of("{\"a\":1} {\"b\":2}", "{\"a\":1,}", "{\"a\":\"raw\nnewline\"}", "{a:1}",
                "{\"a\":01}", "{\"a\":1", "[1,]", "{\"a\":1,\"a\":2}", "{\"a\":\"\\x\"}", "", "nul")) {
            assertThatThrownBy(() -> Json.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
