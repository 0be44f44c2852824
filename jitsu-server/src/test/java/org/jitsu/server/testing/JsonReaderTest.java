package org.jitsu.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("fast")
class JsonReaderTest {
    @Test
    void readsWhatPrometheusAnswers() {
        Object v = JsonReader.parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
                + "[{\"metric\":{\"__name__\":\"up\",\"job\":\"jitsu\"},\"value\":[1700000000.123,\"1\"]}]}}");
        Map<String, Object> data = JsonReader.object(JsonReader.object(v).get("data"));
        assertThat(data.get("resultType")).isEqualTo("vector");
        Map<String, Object> sample = JsonReader.object(JsonReader.array(data.get("result")).get(0));
        assertThat(sample.get("metric")).isEqualTo(Map.of("__name__", "up", "job", "jitsu"));
        assertThat(sample.get("value")).isEqualTo(List.of(1700000000.123, "1"));
    }

    @Test
    void valuesEscapesAndWhiteSpace() {
        assertThat(JsonReader.parse(" [ -1.5e3 , 0, true, false, null, \"a\\\"b\\\\c\\/d\\n\\u00e9\\t\" ]\n"))
                .isEqualTo(Arrays.asList(-1500.0, 0.0, true, false, null, "a\"b\\c/d\n\u00e9\t"));
        assertThat(JsonReader.parse("{}")).isEqualTo(Map.of());
        assertThat(JsonReader.parse("{\"k\" : [ ] }")).isEqualTo(Map.of("k", List.of()));
        assertThat(JsonReader.object(JsonReader.parse("{\"b\":1,\"a\":2}")).keySet()).containsExactly("b", "a");
    }

    @Test
    void badInputFailsWithTheOffset() {
        assertThatThrownBy(() -> JsonReader.parse("{\"a\":1,}")).hasMessageContaining("offset 7");
        assertThatThrownBy(() -> JsonReader.parse("[1] x")).hasMessageContaining("end of input");
        assertThatThrownBy(() -> JsonReader.parse("\"open")).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> JsonReader.parse("[1.]")).hasMessageContaining("digit");
        assertThatThrownBy(() -> JsonReader.parse("[01]")).hasMessageContaining("leading zero");
        assertThatThrownBy(() -> JsonReader.parse("nul")).hasMessageContaining("null expected");
    }

    @Test
    void rejectsWhatIsNotExactlyOneJsonValue() {
        for (String bad : List.of("{\"a\":1} {\"b\":2}", "{\"a\":1,}", "{\"a\":\"raw\nnewline\"}", "{a:1}",
                "{\"a\":01}", "{\"a\":1", "[1,]", "{\"a\":1,\"a\":2}", "{\"a\":\"\\x\"}", "", "nul")) {
            assertThatThrownBy(() -> JsonReader.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
