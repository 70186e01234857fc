package io.pgrds.desired;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.List;

/** How the first data of a cluster comes into being. */
public sealed interface Bootstrap permits Bootstrap.Initdb, Bootstrap.Restore {

    /** A new, empty database. */
    record Initdb() implements Bootstrap {
    }

    /** A restore from another cluster's backups, optionally to a point in time. */
    record Restore(ClusterId from, RecoveryTarget target) implements Bootstrap {
    }

    /** Where a restore stops. */
    record RecoveryTarget(Kind kind, String value) {
        public enum Kind { LATEST, TIME, LSN, NAME }

        public static RecoveryTarget latest() {
            return new RecoveryTarget(Kind.LATEST, "");
        }

        /**
         * Date, {@code T} or one space, hours and minutes, seconds (optional, with an optional fraction), an optional
         * space, the zone offset.
         */
        private static final List<DateTimeFormatter> TIME = java.util.stream.Stream.of("'T'", "' '")
                .flatMap(separator -> java.util.stream.Stream.of("+HH:MM", "+HHMM", "+HH").map(offset ->
                        new DateTimeFormatterBuilder()
                                .appendPattern("uuuu-MM-dd" + separator + "HH:mm")
                                .optionalStart().appendLiteral(':').appendPattern("ss")
                                .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
                                .optionalEnd()
                                .optionalStart().appendLiteral(' ').optionalEnd()
                                .appendOffset(offset, "Z")
                                .toFormatter()))
                .toList();

        /**
         * A time target's instant. PostgreSQL reads a time without a zone in the restored server's time zone, so
         * pgrds accepts only the unambiguous form: a date, a time and a zone offset ({@code 2026-11-27
         * 03:00:00+00}, {@code 2026-11-27T03:00:00.5+01:00}, {@code …Z}).
         *
         * @throws IllegalArgumentException naming the accepted form
         */
        public Instant instant() {
            String t = value.strip();
            for (DateTimeFormatter f : TIME) {
                try {
                    return OffsetDateTime.parse(t, f).toInstant();
                } catch (DateTimeParseException e) {
                    // the next form
                }
            }
            throw new IllegalArgumentException("\"" + value + "\" is not a time with a zone offset; write it "
                    + "like '2026-11-27 03:00:00+00' (T instead of the space, fractions of a second, +01:00 or Z "
                    + "also do)");
        }

        @Override
        public String toString() {
            return kind == Kind.LATEST ? "latest" : kind.name().toLowerCase(java.util.Locale.ROOT) + " " + value;
        }
    }
}
