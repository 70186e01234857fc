package io.pgrds.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One line per round in {@code target/faults-report.tsv} (or {@value #PROPERTY}), appended as each round ends,
 * and a summary per scenario class when the class is done. Columns (tab-separated, a header when the file is new):
 *
 * <pre>
 * scenario  round  acked  lost  two_writable_ms  converge_s  round_s  outcome
 * </pre>
 *
 * {@code scenario} is {@code Class/scenario}; {@code acked} the commits the writer saw acknowledged in the round,
 * {@code lost} how many of them the final primary lacks ({@code -} when no single primary could be checked);
 * {@code two_writable_ms} from the {@link WritableMonitor}; {@code converge_s} how long the convergence check took
 * (I3; {@code -} when the round did not get there or did not converge); {@code round_s} the whole round;
 * {@code outcome} {@code ok} or the first line of what failed.
 */
public final class FaultReport {
    public static final String PROPERTY = "pgrds.faults.report";

    /** One round's figures. */
    /**
     * @param gapMs the longest the writer went without an acknowledged commit while the scenario's fault lasted, for
     *              scenarios that measure it (a failover's write gap)
     */
    public record Line(String scenario, int round, int acked, OptionalLong lost, long twoWritableMs,
                       OptionalDouble convergeSeconds, double roundSeconds, String outcome, OptionalLong gapMs) {
        public Line(String scenario, int round, int acked, OptionalLong lost, long twoWritableMs,
                    OptionalDouble convergeSeconds, double roundSeconds, String outcome) {
            this(scenario, round, acked, lost, twoWritableMs, convergeSeconds, roundSeconds, outcome,
                    OptionalLong.empty());
        }

        public boolean ok() {
            return outcome.equals("ok");
        }

        String tsv() {
            return String.join("\t", scenario, Integer.toString(round), Integer.toString(acked),
                    lost.isPresent() ? Long.toString(lost.getAsLong()) : "-", Long.toString(twoWritableMs),
                    convergeSeconds.isPresent() ? String.format(Locale.ROOT, "%.1f", convergeSeconds.getAsDouble())
                            : "-", String.format(Locale.ROOT, "%.1f", roundSeconds), clean(outcome),
                    gapMs.isPresent() ? Long.toString(gapMs.getAsLong()) : "-");
        }
    }

    private static final List<Line> LINES = new ArrayList<>();

    private FaultReport() {
    }

    public static Path file() {
        return Path.of(System.getProperty(PROPERTY, "target/faults-report.tsv"));
    }

    /** Appends the round's line to the report file and keeps it for the class summary. */
    public static synchronized void append(Line line) {
        LINES.add(line);
        Path f = file();
        try {
            if (f.getParent() != null) {
                Files.createDirectories(f.getParent());
            }
            boolean fresh = !Files.exists(f) || Files.size(f) == 0;
            String text = (fresh ? "scenario\tround\tacked\tlost\ttwo_writable_ms\tconverge_s\tround_s\toutcome\tgap_ms\n"
                    : "") + line.tsv() + "\n";
            Files.writeString(f, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the fault report " + f, e);
        }
    }

    /** The summary of every scenario of {@code className} run in this JVM, one line each. */
    public static synchronized String summary(String className) {
        Map<String, List<Line>> by = new LinkedHashMap<>();
        for (Line l : LINES) {
            if (l.scenario().startsWith(className + "/")) {
                by.computeIfAbsent(l.scenario(), k -> new ArrayList<>()).add(l);
            }
        }
        if (by.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "fault suite %s (%s):%n", className, file()));
        b.append(String.format(Locale.ROOT, "  %-62s %6s %6s %8s %6s %10s %10s %9s %15s%n", "scenario", "rounds",
                "passed", "acked", "lost", "2-writ ms", "converge s", "round s", "gap ms med/max"));
        for (Map.Entry<String, List<Line>> e : by.entrySet()) {
            List<Line> ls = e.getValue();
            long passed = ls.stream().filter(Line::ok).count();
            long acked = ls.stream().mapToLong(Line::acked).sum();
            boolean lostKnown = ls.stream().anyMatch(l -> l.lost().isPresent());
            long lost = ls.stream().filter(l -> l.lost().isPresent()).mapToLong(l -> l.lost().getAsLong()).sum();
            long unknown = ls.stream().filter(l -> l.lost().isEmpty()).count();
            long twoWritable = ls.stream().mapToLong(Line::twoWritableMs).sum();
            double[] converge = ls.stream().filter(l -> l.convergeSeconds().isPresent())
                    .mapToDouble(l -> l.convergeSeconds().getAsDouble()).sorted().toArray();
            double[] round = ls.stream().mapToDouble(Line::roundSeconds).sorted().toArray();
            double[] gaps = ls.stream().filter(l -> l.gapMs().isPresent()).mapToDouble(l -> l.gapMs().getAsLong())
                    .sorted().toArray();
            b.append(String.format(Locale.ROOT, "  %-62s %6d %6d %8d %6s %10d %10s %9s %15s%n",
                    e.getKey().substring(className.length() + 1), ls.size(), passed, acked,
                    (lostKnown ? Long.toString(lost) : "-") + (unknown > 0 && lostKnown ? "+?" : ""), twoWritable,
                    converge.length == 0 ? "-" : String.format(Locale.ROOT, "%.1f", median(converge)),
                    String.format(Locale.ROOT, "%.1f", median(round)), gaps.length == 0 ? "-"
                            : String.format(Locale.ROOT, "%.0f/%.0f", median(gaps), gaps[gaps.length - 1])));
            firstFailure(ls).ifPresent(f -> b.append("      first failure: ").append(shorten(f, 300)).append('\n'));
        }
        return b.toString();
    }

    private static Optional<String> firstFailure(List<Line> lines) {
        return lines.stream().filter(l -> !l.ok()).map(l -> "round " + l.round() + ": " + l.outcome()).findFirst();
    }

    private static double median(double[] sorted) {
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    /** One line, no tabs: fit for a TSV cell. */
    static String clean(String text) {
        return shorten(text.replace('\t', ' ').replace('\r', ' ').replace('\n', ' ').replaceAll(" {2,}", " ").strip(),
                600);
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
