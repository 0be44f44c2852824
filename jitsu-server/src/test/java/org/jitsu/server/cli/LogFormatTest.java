package org.jitsu.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.jitsu.server.testing.JsonReader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The shipped {@code logback.xml}, configured into a logger context of the test's own (the JVM's is left
 * alone) with the format set as a context property, which Logback reads before the system properties
 * and the environment: JSON lines when asked, the plain pattern by default and for an unknown value.
 */
@Tag("fast")
class LogFormatTest {
    private static final String CORE = "org.jitsu.server.core.ServiceRuntime";
    /** What {@link #logged} writes in the plain pattern: its first line, and the rest. */
    private static final String PLAIN = "(?s)\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  ServiceRuntime: service www: booted in 12 ms\n.*";

    /** What the shipped configuration writes for a few events, with {@code properties} set on the context. */
    private static String logged(Map<String, String> properties) throws JoranException {
        URL config = LogFormatTest.class.getResource("/logback.xml");
        assertThat(config).as("logback.xml on the class path").isNotNull();
        assertThat(config.getPath()).as("the server's own logback.xml").endsWith("/classes/logback.xml");
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter()); // a context of one's own needs one (SLF4J's is bound once)
        properties.forEach(context::putProperty);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(config);
        OutputStreamAppender<ILoggingEvent> stderr = (OutputStreamAppender<ILoggingEvent>) context
                .getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        stderr.setOutputStream(out);
        Logger core = context.getLogger(CORE);
        core.info("service {}: booted in {} ms", "www", 12);
        context.getLogger("io.netty.channel.Whatever").info("quiet: below io.netty's WARN");
        core.debug("below the root's INFO");
        core.warn("service www: boot failed: \"quoted\"\tand\nsecond line", new IllegalStateException("no memory",
                new RuntimeException("the cause")));
        List<Status> problems = context.getStatusManager().getCopyOfStatusList().stream()
                .filter(s -> s.getEffectiveLevel() > Status.INFO).toList();
        assertThat(problems).as("Logback's warnings and errors").isEmpty();
        context.stop();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void jsonWritesOneObjectPerLineWithTimestampLevelLoggerMessageAndException() throws Exception {
        long before = System.currentTimeMillis();
        String text = logged(Map.of("jitsu.log.format", "json"));
        long after = System.currentTimeMillis();

        assertThat(text).endsWith("\n");
        List<String> lines = List.of(text.split("\n"));
        assertThat(lines).as("two events, each on its own line: %s", text).hasSize(2);
        Map<String, Object> info = JsonReader.object(JsonReader.parse(lines.get(0)));
        assertThat(info).containsEntry("level", "INFO").containsEntry("loggerName", CORE)
                .containsEntry("formattedMessage", "service www: booted in 12 ms").containsEntry("throwable", null)
                .containsKey("threadName");
        assertThat(((Number) info.get("timestamp")).longValue()).as("epoch ms").isBetween(before, after);

        Map<String, Object> warn = JsonReader.object(JsonReader.parse(lines.get(1)));
        assertThat(warn).containsEntry("level", "WARN")
                .containsEntry("formattedMessage", "service www: boot failed: \"quoted\"\tand\nsecond line");
        @SuppressWarnings("unchecked")
        Map<String, Object> thrown = (Map<String, Object>) warn.get("throwable");
        assertThat(thrown).containsEntry("className", "java.lang.IllegalStateException")
                .containsEntry("message", "no memory").containsKey("stepArray");
        assertThat(thrown.get("cause")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("className", "java.lang.RuntimeException").containsEntry("message", "the cause");
    }

    @Test
    void theEnvironmentVariableSelectsJsonAndThePropertyWinsOverIt() throws Exception {
        // JITSU_LOG_FORMAT as a context property takes the path an environment variable takes: the
        // inner default of ${jitsu.log.format:-${JITSU_LOG_FORMAT:-plain}}
        assertThat(JsonReader.object(JsonReader.parse(logged(Map.of("JITSU_LOG_FORMAT", "json")).split("\n")[0])))
                .containsEntry("level", "INFO");
        assertThat(logged(Map.of("JITSU_LOG_FORMAT", "json", "jitsu.log.format", "plain")))
                .matches(PLAIN);
    }

    @Test
    void plainIsTheDefault() throws Exception {
        assumeTrue(System.getProperty(LogFormat.PROPERTY) == null && System.getenv(LogFormat.ENVIRONMENT) == null,
                "no log format set for the test JVM");
        String text = logged(Map.of());
        assertThat(text).matches("(?s)\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  ServiceRuntime: service www: booted in 12 ms\n"
                + "\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  ServiceRuntime: service www: boot failed: \"quoted\"\tand\n"
                + "second line\njava.lang.IllegalStateException: no memory\n.*Caused by: java.lang.RuntimeException: "
                + "the cause\n.*");
    }

    @Test
    void anUnknownFormatLogsPlainTextAndTheCommandLineSaysSo() throws Exception {
        assertThat(logged(Map.of("jitsu.log.format", "JSON"))).matches(PLAIN);
        assertThat(logged(Map.of("jitsu.log.format", "jsno"))).matches(PLAIN);

        assertThat(LogFormat.warning("jsno", null)).hasValue(
                "unknown log format \"jsno\" (-Djitsu.log.format; expected one of [plain, json]): logging plain text");
        assertThat(LogFormat.warning(null, "JSON")).hasValue(
                "unknown log format \"JSON\" (JITSU_LOG_FORMAT; expected one of [plain, json]): logging plain text");
        assertThat(LogFormat.warning("plain", "xml")).as("the property wins, as in logback.xml").isEmpty();
        assertThat(LogFormat.warning(null, "json")).isEmpty();
        assertThat(LogFormat.warning(null, null)).isEmpty();
    }
}
