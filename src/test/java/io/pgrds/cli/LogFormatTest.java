package io.pgrds.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.util.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** The daemon's log lines: dated text by default, one JSON object per line with --log-format json. */
class LogFormatTest {
    private static ILoggingEvent event(LoggerContext context) {
        Logger logger = context.getLogger("io.pgrds.daemon.Daemon");
        LoggingEvent e = new LoggingEvent(Logger.class.getName(), logger, Level.INFO,
                "{}: failed over from {} to {}", null, new Object[] {"orderdata/integration", "pg1", "pg2"});
        e.setTimeStamp(1_765_000_000_123L);
        return e;
    }

    /** The jar's own configuration (tests run with logback-test.xml). */
    private static LoggerContext jarConfiguration() throws Exception {
        LoggerContext context = new LoggerContext();
        ch.qos.logback.classic.joran.JoranConfigurator joran = new ch.qos.logback.classic.joran.JoranConfigurator();
        joran.setContext(context);
        joran.doConfigure(java.nio.file.Path.of("src/main/resources/logback.xml").toFile());
        return context;
    }

    @Test
    void jsonReplacesTheEncoderOfTheJarsStderrAppender() throws Exception {
        LoggerContext context = jarConfiguration();
        LogFormat.JSON.apply(context);
        ConsoleAppender<?> stderr = (ConsoleAppender<?>) context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                .getAppender("STDERR");
        assertTrue(stderr.getEncoder() instanceof ch.qos.logback.classic.encoder.JsonEncoder, String.valueOf(
                stderr.getEncoder()));
        assertTrue(stderr.isStarted());
        context.stop();
    }

    @Test
    void textLinesCarryTheDateInUtc() throws Exception {
        LoggerContext context = jarConfiguration();
        ConsoleAppender<?> stderr = (ConsoleAppender<?>) context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                .getAppender("STDERR");
        PatternLayoutEncoder encoder = (PatternLayoutEncoder) stderr.getEncoder();
        String line = new String(encoder.encode(event(context)), StandardCharsets.UTF_8);
        assertEquals("2025-12-06 05:46:40.123Z INFO  i.p.daemon.Daemon - orderdata/integration: failed over from pg1"
                + " to pg2", line.strip());
        context.stop();
    }

    @Test
    void jsonLinesAreOneObjectEachWithTimeLevelLoggerAndTheMessage() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        String line = new String(LogFormat.encoder(context).encode(event(context)), StandardCharsets.UTF_8);
        assertTrue(line.endsWith("\n") && line.strip().lines().count() == 1, line);
        JsonNode o = Json.mapper().readTree(line);
        assertEquals(1_765_000_000_123L, o.path("timestamp").asLong());
        assertEquals("INFO", o.path("level").asText());
        assertEquals("io.pgrds.daemon.Daemon", o.path("loggerName").asText());
        assertEquals("orderdata/integration: failed over from pg1 to pg2", o.path("formattedMessage").asText());
    }

    @Test
    void anUnknownFormatIsAUsageErrorNamingTheChoices() {
        assertEquals(LogFormat.JSON, new DaemonOptions.LogFormatConverter().convert("JSON"));
        assertEquals("'xml' is not a log format: use text or json", assertThrows(
                CommandLine.TypeConversionException.class, () -> new DaemonOptions.LogFormatConverter()
                        .convert("xml")).getMessage());
    }
}
