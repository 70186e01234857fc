package io.pgrds.desired;

import java.text.ParseException;
import java.util.Date;
import java.util.Optional;
import java.util.TimeZone;
import org.quartz.CronExpression;

/**
 * Checks the cron expressions of {@code backup.schedule}: Quartz's (seconds first), as the daemon schedules them.
 * One place for the loader (a located problem) and the daemon (a warning), so both say the same.
 */
public final class Cron {
    private static final String FORM = "seconds minutes hours day-of-month month day-of-week [year]";

    private Cron() {
    }

    /** What is wrong with an expression, as a sentence that ends in what to write instead; empty when usable. */
    public static Optional<String> problem(String expression) {
        String[] fields = expression.trim().split("\\s+");
        if (fields.length == 5) {
            return Optional.of("\"" + expression + "\" is a Unix cron expression (five fields); pgrds takes "
                    + "Quartz's, seconds first: " + FORM + suggestion(unixToQuartz(fields)));
        }
        CronExpression cron;
        try {
            cron = new CronExpression(expression);
        } catch (ParseException e) {
            if (String.valueOf(e.getMessage()).contains("both a day-of-week AND a day-of-month")) {
                return Optional.of("\"" + expression + "\" gives both day-of-month and day-of-week, which Quartz "
                        + "does not support; put ? in one of them" + suggestion(questionMark(fields)));
            }
            // both shown escaped: what Quartz quotes of the text may be any character of it
            return Optional.of(io.pgrds.util.Texts.show(expression) + " is not a Quartz cron expression ("
                    + io.pgrds.util.Texts.escape(String.valueOf(e.getMessage()).replaceFirst("\\.$", "")) + "); write "
                    + FORM + ", e.g. \"0 30 2 * * ?\" for 02:30 every day.");
        }
        cron.setTimeZone(TimeZone.getTimeZone("UTC"));
        if (cron.getNextValidTimeAfter(new Date(0)) == null) {
            return Optional.of("\"" + expression + "\" never fires: no date matches it; check the day and month.");
        }
        return Optional.empty();
    }

    private static String suggestion(Optional<String> better) {
        return better.filter(CronExpression::isValidExpression).map(b -> ", e.g. \"" + b + "\".").orElse(".");
    }

    /** Unix {@code m h dom mon dow} as Quartz, when the day-of-week is any (Unix numbers days from 0, Quartz from 1). */
    private static Optional<String> unixToQuartz(String[] f) {
        if (!f[4].equals("*")) {
            return Optional.empty();
        }
        return Optional.of("0 " + f[0] + " " + f[1] + " " + f[2] + " " + f[3] + " ?");
    }

    private static Optional<String> questionMark(String[] f) {
        if (f.length < 6) {
            return Optional.empty();
        }
        String[] g = f.clone();
        if (g[5].equals("*")) {
            g[5] = "?";
        } else if (g[3].equals("*")) {
            g[3] = "?";
        } else {
            return Optional.empty();
        }
        return Optional.of(String.join(" ", g));
    }
}
