package io.pgrds.plan;

import static io.pgrds.plan.ConfText.oneLine;

import io.pgrds.desired.NodeSpec;
import io.pgrds.util.Texts;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@code pgrds-standby.conf}, where a standby streams from, and the libpq connection string it holds. */
final class StandbyConf {
    private StandbyConf() {
    }

    /**
     * The whole file for a node: {@code primary_conninfo} pointing at {@code upstream} as the replicator, the password
     * from {@code passfile}, streaming under the node's name; or, without an upstream, a file that says the node is
     * not a standby.
     */
    static String file(NodeSpec node, Optional<NodeSpec> upstream, String passfile) {
        if (upstream.isEmpty()) {
            return "# Written by pgrds: this node is not a standby.\n";
        }
        NodeSpec u = upstream.get();
        Map<String, String> ci = new LinkedHashMap<>();
        ci.put("host", u.host());
        ci.put("port", Integer.toString(u.port()));
        ci.put("user", "replicator");
        ci.put("passfile", passfile);
        ci.put("application_name", node.name());
        return "# Written by pgrds: where this standby streams from.\n"
                + PostgresqlConf.setting("primary_conninfo", conninfo(ci)) + "\n";
    }

    /**
     * A libpq connection string ({@code primary_conninfo}, {@code pg_rewind --source-server}) from keywords and
     * values, in the order given. A value is written as it is when it is a plain word, else in single quotes with
     * {@code '} and {@code \} escaped by a backslash, libpq's own rule: {@code application_name='it\'s'}.
     *
     * @throws IllegalArgumentException for a keyword that is not a word, or a value with a control character
     */
    static String conninfo(Map<String, String> settings) {
        StringBuilder b = new StringBuilder();
        settings.forEach((k, v) -> {
            if (!k.matches("[a-z_]+")) {
                throw new IllegalArgumentException("not a libpq keyword: " + Texts.show(k));
            }
            oneLine(v, "the connection setting " + k);
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(k).append('=');
            if (!v.isEmpty() && v.chars().noneMatch(c -> c == '\'' || c == '\\' || Character.isWhitespace(c))) {
                b.append(v);
            } else {
                b.append('\'').append(v.replace("\\", "\\\\").replace("'", "\\'")).append('\'');
            }
        });
        return b.toString();
    }
}
