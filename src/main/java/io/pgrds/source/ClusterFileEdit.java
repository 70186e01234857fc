package io.pgrds.source;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.EditList;
import org.eclipse.jgit.diff.HistogramDiff;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;

/**
 * Small edits of a cluster file that keep everything else as it was written (comments, layout, key order): the
 * imperative shortcuts ({@code pgrds switchover}) change the file, never the servers, and show the change as a
 * unified diff. Pure.
 */
public final class ClusterFileEdit {
    /** A top-level {@code primary:} line, its value, and a comment after it. */
    private static final Pattern PRIMARY = Pattern.compile("(?m)^primary:[ \\t]*([^#\\r\\n]*?)([ \\t]+#[^\\r\\n]*)?$");

    private ClusterFileEdit() {
    }

    /** The file with its top-level {@code primary:} set to {@code node} (added at the end when there is none). */
    public static String pin(String text, String node) {
        Matcher m = PRIMARY.matcher(text);
        if (m.find()) {
            String comment = m.group(2) == null ? "" : m.group(2);
            return text.substring(0, m.start()) + "primary: " + node + comment + text.substring(m.end());
        }
        return text + (text.isEmpty() || text.endsWith("\n") ? "" : "\n") + "primary: " + node + "\n";
    }

    /** The unified diff from {@code before} to {@code after} of the file at {@code path} (empty when equal). */
    public static String diff(String path, String before, String after) {
        RawText a = new RawText(before.getBytes(StandardCharsets.UTF_8));
        RawText b = new RawText(after.getBytes(StandardCharsets.UTF_8));
        EditList edits = new HistogramDiff().diff(RawTextComparator.DEFAULT, a, b);
        if (edits.isEmpty()) {
            return "";
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DiffFormatter f = new DiffFormatter(out)) {
            out.write(("--- a/" + path + "\n+++ b/" + path + "\n").getBytes(StandardCharsets.UTF_8));
            f.format(edits, a, b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
