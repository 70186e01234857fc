package io.pgrds.desired.load;

import io.pgrds.util.Texts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What each field of a {@code postgres.hba} rule may hold so that it is exactly one field of one pg_hba.conf line,
 * meaning what it says: no whitespace or {@code #} outside quotes (a second field, a comment), no {@code @file}
 * inclusion, no {@code /regex} (PostgreSQL 16), no line break. Each check returns the problem in words, or nothing.
 *
 * <ul>
 *   <li>database: a comma-separated list of {@code all}, {@code sameuser}, {@code samerole}, {@code replication},
 *       names of letters, digits and {@code _ . -}, or names in double quotes (no {@code "} or control character
 *       inside); at most 63 characters each, PostgreSQL's limit for a name.</li>
 *   <li>user: the same, without the database keywords, where a name may start with {@code +} (members of that
 *       role).</li>
 *   <li>address: {@code all}, {@code samehost}, {@code samenet}, an IPv4 or IPv6 range with its prefix length
 *       ({@code 10.0.0.0/8}, {@code ::1/128}), a host name, or {@code .domain} (every host in it). Required for
 *       every type but {@code local}, and refused for {@code local}.</li>
 * </ul>
 */
public final class HbaGrammar {
    /** PostgreSQL truncates longer names (NAMEDATALEN - 1), so a longer one in pg_hba.conf never matches. */
    static final int MAX_NAME = 63;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern QUOTED = Pattern.compile("\"[^\"]+\"");
    private static final Pattern IPV4 = Pattern.compile("([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})");
    private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?");
    private static final Pattern HEX_GROUP = Pattern.compile("[0-9A-Fa-f]{1,4}");
    private static final Set<String> ADDRESS_KEYWORDS = Set.of("all", "samehost", "samenet");

    static final String DATABASE_RULE = "a database field is all, sameuser, samerole, replication, a name of letters, "
            + "digits and _ . - (at most 63), or a name in double quotes without \" inside; several are separated by "
            + "commas, without spaces";
    static final String USER_RULE = "a user field is all, a role name of letters, digits and _ . - (at most 63), "
            + "the same with + before it for the members of that role, or a name in double quotes without \" inside; "
            + "several are separated by commas, without spaces";
    static final String ADDRESS_RULE = "an address is an IPv4 or IPv6 range with its prefix length (10.0.0.0/8, "
            + "192.168.1.7/32, ::1/128), a host name, .example.com for every host in a domain, or all, samehost, "
            + "samenet";

    private HbaGrammar() {
    }

    /** The problem with a database field, if any. */
    public static Optional<String> database(String value) {
        return list(value, true);
    }

    /** The problem with a user field, if any. */
    public static Optional<String> user(String value) {
        return list(value, false);
    }

    private static Optional<String> list(String value, boolean database) {
        String rule = database ? DATABASE_RULE : USER_RULE;
        if (value.isEmpty()) {
            return Optional.of("the field is empty; " + rule + ".");
        }
        for (String item : items(value)) {
            Optional<String> why = item(item, database);
            if (why.isPresent()) {
                return Optional.of((item.equals(value) || item.isEmpty() ? "" : Texts.show(item) + " in it: ")
                        + why.get() + "; " + rule + ".");
            }
        }
        return Optional.empty();
    }

    /** The comma-separated items; a comma inside double quotes belongs to the name. */
    private static List<String> items(String value) {
        List<String> out = new ArrayList<>();
        StringBuilder item = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                out.add(item.toString());
                item.setLength(0);
            } else {
                item.append(c);
            }
        }
        out.add(item.toString());
        return out;
    }

    private static Optional<String> item(String item, boolean database) {
        if (item.isEmpty()) {
            return Optional.of("an empty name (two commas, or one at an end)");
        }
        if (Texts.firstControl(item).isPresent()) {
            return Optional.of("it holds " + Texts.describe(item.charAt(Texts.firstControl(item).getAsInt())));
        }
        if (item.startsWith("\"")) {
            if (!QUOTED.matcher(item).matches()) {
                return Optional.of("a quoted name must end with \" and hold no \" of its own");
            }
            return item.length() - 2 > MAX_NAME ? Optional.of("a name is at most " + MAX_NAME + " characters")
                    : Optional.empty();
        }
        String name = item;
        if (item.startsWith("+")) {
            if (database) {
                return Optional.of("+ (members of a role) is for the user field only");
            }
            name = item.substring(1);
            if (name.startsWith("\"")) {
                return Optional.of("+ and a quoted name is not a group for PostgreSQL; write +name without quotes");
            }
        }
        if (name.startsWith("@")) {
            return Optional.of("@file inclusion is not supported (pgrds writes every name into pg_hba.conf itself)");
        }
        if (name.startsWith("/")) {
            return Optional.of("regular expressions are not supported");
        }
        if (name.isEmpty()) {
            return Optional.of("a name is missing" + (item.startsWith("+") ? " after +" : ""));
        }
        if (!NAME.matcher(name).matches()) {
            int bad = firstNotIn(name);
            return Optional.of("it holds " + describe(name.codePointAt(bad)) + "; put a name with other characters in "
                    + "double quotes");
        }
        if (name.length() > MAX_NAME) {
            return Optional.of("a name is at most " + MAX_NAME + " characters");
        }
        return Optional.empty();
    }

    private static int firstNotIn(String name) {
        for (int i = 0; i < name.length(); i++) {
            if (!NAME.matcher(name.substring(i, i + 1)).matches()) {
                return i;
            }
        }
        return 0;
    }

    /** A character for a message, whole (an emoji is one, not two halves) and never one that breaks the line. */
    private static String describe(int c) {
        if (c == ' ') {
            return "a space";
        }
        if (Texts.isControl(c)) {
            return Texts.describe(c);
        }
        return "'" + Texts.escape(new String(Character.toChars(c))) + "'";
    }

    /** The problem with an address field, if any. */
    public static Optional<String> address(String value) {
        if (ADDRESS_KEYWORDS.contains(value)) {
            return Optional.empty();
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '#' || c == ',' || c == '"' || Texts.isControl(c)) {
                return Optional.of("an address is one field, and this one holds " + describe(c) + "; "
                        + ADDRESS_RULE + ".");
            }
        }
        int slash = value.indexOf('/');
        if (slash >= 0) {
            String ip = value.substring(0, slash);
            String prefix = value.substring(slash + 1);
            boolean v4 = IPV4.matcher(ip).matches();
            boolean v6 = !v4 && ipv6(ip);
            if (!v4 && !v6) {
                return Optional.of("what comes before the / is not an IP address; " + ADDRESS_RULE + ".");
            }
            if (v4 && !octets(ip)) {
                return Optional.of("not an IPv4 address (each part is 0 to 255); " + ADDRESS_RULE + ".");
            }
            int max = v4 ? 32 : 128;
            if (!prefix.matches("[0-9]{1,3}") || Integer.parseInt(prefix) > max) {
                return Optional.of("the prefix length after the / is a number from 0 to " + max + " for an "
                        + (v4 ? "IPv4" : "IPv6") + " address; " + ADDRESS_RULE + ".");
            }
            return Optional.empty();
        }
        if (IPV4.matcher(value).matches() || value.contains(":") && ipv6(value)) {
            return Optional.of("an IP address needs its prefix length: " + value + (value.contains(":") ? "/128"
                    : "/32") + " for this host alone; " + ADDRESS_RULE + ".");
        }
        String host = value.startsWith(".") ? value.substring(1) : value;
        if (host.isEmpty() || host.length() > 253 || host.matches("[0-9.]+")) {
            return Optional.of("not an address; " + ADDRESS_RULE + ".");
        }
        for (String label : host.split("\\.", -1)) {
            if (!HOST_LABEL.matcher(label).matches()) {
                return Optional.of("not an IP range or a host name (labels of letters, digits, _ and -, not starting "
                        + "or ending with -, separated by dots); " + ADDRESS_RULE + ".");
            }
        }
        return Optional.empty();
    }

    private static boolean octets(String ip) {
        for (String part : ip.split("\\.")) {
            if (Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /** An IPv6 address in text form: eight groups, or fewer around one {@code ::}; the last two may be IPv4. */
    static boolean ipv6(String text) {
        if (text.isEmpty() || text.chars().anyMatch(c -> !(Character.digit(c, 16) >= 0 || c == ':' || c == '.'))) {
            return false;
        }
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        List<String> groups = new ArrayList<>();
        if (gap >= 0) {
            String head = text.substring(0, gap);
            String tail = text.substring(gap + 2);
            if (!head.isEmpty()) {
                groups.addAll(List.of(head.split(":", -1)));
            }
            if (!tail.isEmpty()) {
                groups.addAll(List.of(tail.split(":", -1)));
            }
        } else {
            groups.addAll(List.of(text.split(":", -1)));
        }
        int count = 0;
        for (int i = 0; i < groups.size(); i++) {
            String g = groups.get(i);
            if (i == groups.size() - 1 && g.contains(".")) {
                if (!IPV4.matcher(g).matches() || !octets(g)) {
                    return false;
                }
                count += 2;
            } else if (HEX_GROUP.matcher(g).matches()) {
                count++;
            } else {
                return false;
            }
        }
        return gap >= 0 ? count <= 7 : count == 8;
    }
}
