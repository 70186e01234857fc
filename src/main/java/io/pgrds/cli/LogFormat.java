package io.pgrds.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

/**
 * How the daemon's log lines look on stderr: {@code text} (the default: UTC date and time, level, logger, message,
 * as {@code logback.xml} has it) or {@code json}, one JSON object per line from Logback's own {@link JsonEncoder}
 * (timestamp in epoch milliseconds, level, logger, message, thread, MDC) for log shippers that parse no text.
 */
public enum LogFormat {
    TEXT, JSON;

    /** Applies this format to the stderr appender of the running Logback configuration. */
    void apply() {
        apply((LoggerContext) LoggerFactory.getILoggerFactory());
    }

    void apply(LoggerContext context) {
        if (this == TEXT) {
            return;
        }
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (!(root.getAppender("STDERR") instanceof ConsoleAppender<ILoggingEvent> stderr)) {
            throw new IllegalStateException("logback.xml has no STDERR console appender");
        }
        Encoder<ILoggingEvent> encoder = encoder(context);
        stderr.stop();
        stderr.setEncoder(encoder);
        stderr.start();
    }

    static Encoder<ILoggingEvent> encoder(LoggerContext context) {
        JsonEncoder json = new JsonEncoder();
        json.setContext(context);
        // the formatted message is what a person reads; the raw pattern and its arguments add nothing here
        json.setWithMessage(false);
        json.setWithFormattedMessage(true);
        json.setWithArguments(false);
        json.setWithSequenceNumber(false);
        json.setWithNanoseconds(false);
        json.setWithContext(false);
        json.start();
        return json;
    }
}
