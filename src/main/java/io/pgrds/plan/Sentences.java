package io.pgrds.plan;

import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedNode;
import io.pgrds.observe.SqlFacts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The one sentence a plan ends with: what was decided for the primary, then what else is done. */
final class Sentences {
    private Sentences() {
    }

    static String decision(Facts f, Draft x, String primary, List<Action> actions) {
        if (actions.isEmpty()) {
            long streaming = 0;
            long others = 0;
            for (String name : f.desiredNames) {
                ObservedNode n = f.get(name);
                if (name.equals(primary)) {
                    continue;
                }
                boolean s = n.running() && n.sql().flatMap(SqlFacts::walReceiverStatus).filter("streaming"::equals)
                        .isPresent();
                if (s) {
                    streaming++;
                } else {
                    others++;
                }
            }
            return f.id + ": no action, " + primary + " primary, " + streaming + (streaming == 1 ? " standby" :
                    " standbys") + " streaming" + (others == 0 ? "" : ", " + others + " not streaming");
        }
        Map<String, List<String>> verbs = new LinkedHashMap<>();
        for (Action a : actions) {
            if (x.toldInHeadline(a)) {
                continue;
            }
            String[] vt = phrase(f, a);
            verbs.computeIfAbsent(vt[0], v -> new ArrayList<>());
            if (!vt[1].isEmpty()) {
                verbs.get(vt[0]).add(vt[1]);
            }
        }
        StringBuilder s = new StringBuilder(f.id).append(": ").append(x.headline);
        verbs.forEach((verb, targets) -> s.append(", ").append(verb)
                .append(targets.isEmpty() ? "" : " " + String.join(", ", targets)));
        return s.toString();
    }

    static String[] phrase(Facts f, Action a) {
        return switch (a.kind()) {
            case INIT_PRIMARY, RESTORE_PRIMARY, PROMOTE, SWITCHOVER -> new String[] {a.describe(), ""};
            case CLONE_STANDBY -> new String[] {"clone", a.nodes().get(0)};
            case START_NODE -> new String[] {"start", a.nodes().get(0)};
            case FENCE -> new String[] {"fence", a.nodes().get(0)};
            case REJOIN -> new String[] {f.isDesired(a.nodes().get(0)) && f.get(a.nodes().get(0)).state()
                    == NodeState.PRIMARY ? "rejoin stale old primary" : "rejoin", a.nodes().get(0)};
            case REPOINT -> new String[] {"repoint", a.nodes().get(0)};
            case DEACTIVATE -> new String[] {"deactivate", a.nodes().get(0)};
            case CHANGE_PARAMETERS -> {
                Action.ChangeParameters c = (Action.ChangeParameters) a;
                yield new String[] {"change " + c.changes().size() + (c.changes().size() == 1 ? " parameter" :
                        " parameters") + (c.restart() ? " with restart" : ""), ""};
            }
            case CHANGE_HBA -> new String[] {"rewrite pg_hba.conf", ""};
            case ENSURE_ROLES -> new String[] {"create roles " + String.join(", ", ((Action.EnsureRoles) a).roles()),
                    ""};
            case CONFIGURE_BACKUP -> new String[] {"configure backup", ""};
            case REGISTER_ENDPOINT -> new String[] {"register endpoint", ""};
            case ENABLE_AT_BOOT -> new String[] {"enable at boot", a.nodes().get(0)};
            case DISABLE_AT_BOOT -> new String[] {"disable at boot", a.nodes().get(0)};
        };
    }
}
