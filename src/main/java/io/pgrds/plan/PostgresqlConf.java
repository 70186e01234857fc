package io.pgrds.plan;

import static io.pgrds.plan.ConfText.comment;
import static io.pgrds.plan.ConfText.oneLine;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.util.Texts;
import java.util.SortedMap;
import java.util.regex.Pattern;

/** Files of postgresql.conf syntax: pgrds's own {@code pgrds.conf}, and the lines of {@code pgrds-standby.conf}. */
final class PostgresqlConf {
    /** A parameter's name as postgresql.conf takes it: the loader's pattern for names, and custom {@code a.b}. */
    private static final Pattern PARAMETER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

    private PostgresqlConf() {
    }

    /** pgrds's PostgreSQL configuration file for one node, holding {@code parameters}. */
    static String file(DesiredCluster desired, NodeSpec node, SortedMap<String, String> parameters) {
        StringBuilder out = new StringBuilder();
        comment(out, "Written by pgrds for cluster " + desired.id() + ", node " + node.name() + ".");
        comment(out, "Do not edit: change postgres.parameters in " + desired.file() + " instead.");
        parameters.forEach((k, v) -> out.append(setting(k, v)).append('\n'));
        return out.toString();
    }

    /** One {@code name = 'value'} line of postgresql.conf syntax. */
    static String setting(String name, String value) {
        if (!PARAMETER.matcher(name).matches()) {
            throw new IllegalArgumentException("not a PostgreSQL parameter name: " + Texts.show(name));
        }
        return name + " = " + value(value);
    }

    /**
     * The one way pgrds writes a value into a file of postgresql.conf syntax ({@code pgrds.conf},
     * {@code pgrds-standby.conf}): always single-quoted, each {@code '} doubled and each {@code \} doubled (inside a
     * quoted value PostgreSQL reads {@code \} as an escape). A value is one line: a control character or line break
     * is refused, since nothing can write it there (the loader refuses them before).
     *
     * @throws IllegalArgumentException for a value with a control character
     */
    static String value(String value) {
        return "'" + oneLine(value, "a postgresql.conf value").replace("\\", "\\\\").replace("'", "''") + "'";
    }
}
