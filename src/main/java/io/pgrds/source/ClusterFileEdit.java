package io.pgrds.source;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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

    /** The top-level {@code nodes:} key, and whether its value is a flow sequence on the same line. */
    private static final Pattern NODES = Pattern.compile("(?m)^nodes:[ \t]*(\\[)?");
    private static final Pattern ITEM = Pattern.compile("^([ \t]*)- ");

    /**
     * The file with a node added at the end of its top-level {@code nodes:} list, in the list's own style: a line
     * {@code - {host: …, name: …}} at the items' indentation, or an element before the closing {@code ]}.
     *
     * @throws IllegalArgumentException when the file has no top-level {@code nodes:} list to add to
     */
    public static String addNode(String text, String host, String name) {
        String item = "{host: " + host + (name == null || name.equals(host) ? "" : ", name: " + name) + "}";
        Matcher m = NODES.matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("the file has no top-level nodes: list (it may come from defaults)");
        }
        if (m.group(1) != null) {
            int close = text.indexOf(']', m.end());
            String inside = text.substring(m.end(), close).strip();
            return text.substring(0, close).stripTrailing() + (inside.isEmpty() ? "" : ", ") + item
                    + text.substring(close);
        }
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        int at = lineOf(text, m.start());
        int last = -1;
        String indent = "  ";
        for (int i = at + 1; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.isBlank() || l.stripLeading().startsWith("#")) {
                continue;
            }
            if (!Character.isWhitespace(l.charAt(0)) && !l.startsWith("-")) {
                break; // the next top-level key
            }
            Matcher im = ITEM.matcher(l);
            if (im.find()) {
                indent = im.group(1);
            }
            last = i;
        }
        lines.add(last < 0 ? at + 1 : last + 1, indent + "- " + item);
        return String.join("\n", lines);
    }

    /**
     * The file without the item of its top-level block {@code nodes:} list whose {@code host} or {@code name} is
     * {@code node}: its line, and the lines of a mapping that continues below it.
     *
     * In a flow list ({@code nodes: [{host: a}, {host: b}]}, on one line or several) the element goes with the comma
     * that separates it from its neighbour.
     *
     * @throws IllegalArgumentException when no item names the node, or the file has no top-level nodes: list
     */
    public static String removeNode(String text, String node) {
        Matcher m = NODES.matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("the file has no top-level nodes: list to remove " + node
                    + " from (it may come from defaults); edit the file by hand");
        }
        Pattern names = Pattern.compile("(?:host|name):[ \t]*['\"]?" + Pattern.quote(node) + "['\"]?[ \t]*[,}\n#]");
        if (m.group(1) != null) {
            return removeFromFlow(text, m.end(), names, node);
        }
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        int at = lineOf(text, m.start());
        for (int i = at + 1; i < lines.size(); i++) {
            String l = lines.get(i);
            if (!l.isBlank() && !Character.isWhitespace(l.charAt(0)) && !l.startsWith("-")) {
                break;
            }
            Matcher im = ITEM.matcher(l);
            if (!im.find()) {
                continue;
            }
            int end = i + 1; // the item's own lines: deeper than its dash
            while (end < lines.size() && !lines.get(end).isBlank() && indentOf(lines.get(end)) > im.group(1).length()
                    && !ITEM.matcher(lines.get(end)).find()) {
                end++;
            }
            String item = String.join("\n", lines.subList(i, end)) + "\n";
            if (names.matcher(item).find()) {
                lines.subList(i, end).clear();
                return String.join("\n", lines);
            }
        }
        throw new IllegalArgumentException("no item of the nodes: list names " + node);
    }

    /**
     * Removes the element of the flow sequence whose contents start at {@code from} (just after its {@code [}) that
     * {@code names} matches. Elements are split at the commas outside braces, brackets and quotes.
     */
    private static String removeFromFlow(String text, int from, Pattern names, String node) {
        List<int[]> elements = new ArrayList<>(); // [start, end) of each element, without surrounding blanks
        int depth = 0;
        char quote = 0;
        int start = from;
        int close = -1;
        for (int i = from; i < text.length() && close < 0; i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            if (c == '#' && (i == from || Character.isWhitespace(text.charAt(i - 1)))) {
                // a comment runs to the end of its line: its commas, quotes and brackets are text
                int eol = text.indexOf('\n', i);
                i = eol < 0 ? text.length() : eol;
                continue;
            }
            switch (c) {
                case '\'', '"' -> quote = c;
                case '{', '[' -> depth++;
                case '}' -> depth--;
                case ']' -> {
                    if (depth == 0) {
                        elements.add(new int[] {start, i});
                        close = i;
                    } else {
                        depth--;
                    }
                }
                case ',' -> {
                    if (depth == 0) {
                        elements.add(new int[] {start, i});
                        start = i + 1;
                    }
                }
                default -> { }
            }
        }
        if (close < 0) {
            throw new IllegalArgumentException("the nodes: list is not closed with ]; edit the file by hand");
        }
        for (int k = 0; k < elements.size(); k++) {
            int[] e = elements.get(k);
            if (!names.matcher(text.substring(e[0], e[1]) + "\n").find()) {
                continue;
            }
            if (elements.size() == 1) {
                return text.substring(0, e[0]) + text.substring(e[1]);
            }
            int ownText = skipBlanksAndComments(text, e[0], e[1]);
            int ownEnd = e[1];
            while (ownEnd > ownText && Character.isWhitespace(text.charAt(ownEnd - 1))) {
                ownEnd--;
            }
            if (k < elements.size() - 1) {
                // the element and its comma, up to the next element's text (which keeps the place of this one)
                int nextText = elements.get(k + 1)[0];
                while (nextText < close && (text.charAt(nextText) == ' ' || text.charAt(nextText) == '\t')) {
                    nextText++;
                }
                if (nextText < close && text.charAt(nextText) == '#') {
                    // a comment right after the comma belongs to this element's line: it goes with it
                    int eol = text.indexOf('\n', nextText);
                    nextText = eol < 0 ? close : eol;
                }
                nextText = skipBlanksAndComments(text, nextText, close);
                return text.substring(0, ownText) + text.substring(nextText);
            }
            // the last element goes with the comma before it; a comment after that comma (the previous element's
            // line) and what follows the element (a line break before ]) stay
            int comma = elements.get(k - 1)[1];
            int lineStart = text.lastIndexOf('\n', ownText - 1);
            String kept = lineStart > comma ? text.substring(comma + 1, lineStart) : "";
            return text.substring(0, comma) + kept + text.substring(ownEnd);
        }
        throw new IllegalArgumentException("no item of the nodes: list names " + node);
    }

    /** The first offset in [from, to) that is neither blank nor inside a {@code #} comment. */
    private static int skipBlanksAndComments(String text, int from, int to) {
        int i = from;
        while (i < to) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') {
                int eol = text.indexOf('\n', i);
                i = eol < 0 || eol > to ? to : eol;
            } else {
                break;
            }
        }
        return i;
    }

    private static int lineOf(String text, int offset) {
        int n = 0;
        for (int i = 0; i < offset; i++) {
            n += text.charAt(i) == '\n' ? 1 : 0;
        }
        return n;
    }

    private static int indentOf(String line) {
        int i = 0;
        while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
            i++;
        }
        return i;
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
