package io.pgrds.plan;

import static io.pgrds.plan.ConfText.comment;
import static io.pgrds.plan.ConfText.oneLine;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.HbaRule;
import io.pgrds.util.Texts;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** pgrds's {@code pg_hba.conf}: one rule a line, each field checked to stay one field. */
final class HbaConf {
    private HbaConf() {
    }

    /** Local administration, replication between the cluster's nodes, then the file's rules. */
    static String file(DesiredCluster desired) {
        StringBuilder out = new StringBuilder();
        comment(out, "Written by pgrds for cluster " + desired.id() + ".");
        comment(out, "Do not edit: change postgres.hba in " + desired.file() + " instead.");
        out.append("# administration on the node itself\n");
        line(out, "local", "all", "postgres", "", "peer");
        line(out, "local", "all", "all", "", "scram-sha-256");
        line(out, "host", "all", "pgrds", "127.0.0.1/32", "scram-sha-256");
        line(out, "host", "all", "pgrds", "::1/128", "scram-sha-256");
        Set<String> hosts = new LinkedHashSet<>();
        desired.nodes().forEach(n -> hosts.add(address(n.host())));
        out.append("# pgrds (through its SSH tunnel) and replication, from the cluster's nodes only\n");
        for (String h : hosts) {
            line(out, "host", "all", "pgrds", h, "scram-sha-256");
        }
        for (String h : hosts) {
            line(out, "host", "replication", "replicator", h, "scram-sha-256");
        }
        out.append("# rules from the cluster file\n");
        for (HbaRule r : desired.postgres().hba()) {
            line(out, r.type(), r.database(), r.user(), r.address().orElse(""), r.method());
        }
        return out.toString();
    }

    /**
     * An IP address gets its single-host mask; a host name stays a name (pg_hba resolves it). A loopback address
     * stands for the whole loopback network: nodes sharing one machine connect to each other from 127.0.0.1,
     * whatever 127.0.0.x they listen on, and nothing outside the machine can use such an address.
     */
    static String address(String host) {
        if (host.startsWith("127.") && host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.equals("localhost")) {
            return "127.0.0.0/8";
        }
        if (host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return host + "/32";
        }
        if (host.contains(":")) {
            return host + "/128";
        }
        return host;
    }

    private static void line(StringBuilder out, String type, String database, String user, String address,
                             String method) {
        for (String field : List.of(type, database, user, address, method)) {
            field(field);
        }
        out.append(String.format("%-7s %-12s %-11s %-24s %s", type, database, user, address, method).stripTrailing())
                .append('\n');
    }

    /**
     * A pg_hba.conf field must stay one field of one line: no control character, and outside double quotes no
     * whitespace (a second field) and no {@code #} (a comment). The loader checks each field's grammar before.
     */
    private static void field(String field) {
        oneLine(field, "a pg_hba.conf field");
        boolean quoted = false;
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && (Character.isWhitespace(c) || c == '#')) {
                throw new IllegalArgumentException("a pg_hba.conf field would be split at " + (c == '#' ? "'#'"
                        : "a space") + ": " + Texts.show(field));
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("a pg_hba.conf field has an unclosed quote: " + Texts.show(field));
        }
    }
}
