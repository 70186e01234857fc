package io.pgrds.render;

import io.pgrds.plan.Action;
import io.pgrds.plan.ActionKind;
import io.pgrds.plan.ClusterPlan;
import io.pgrds.plan.FleetPlan;
import io.pgrds.plan.ParameterChange;
import io.pgrds.plan.Refusal;
import io.pgrds.util.Palette;
import java.util.ArrayList;
import java.util.List;

/**
 * Shows a plan to people (terraform-like text) and to programs (versioned JSON, see {@code docs/plan-json.md}).
 * Output depends on the plan alone: the same plan gives the same bytes.
 *
 * <pre>
 * pgrds plan — commit 3f2a1c9
 *
 * orderdata/integration
 *   + clone standby   int-postgres-orderdata-2   from int-postgres-orderdata-1
 *       why:  int-postgres-orderdata-2 is in the file and its data directory is empty
 *       risk: reads int-postgres-orderdata-1's whole data directory (pg_basebackup)
 *   decision: keep int-postgres-orderdata-1 primary, clone int-postgres-orderdata-2
 *
 * Plan: 1 to add, 0 to change, 0 to remove.
 * </pre>
 */
public final class PlanRenderer {
    /** Width of the label column ({@code clone standby   }). */
    private static final int LABEL = 16;
    private static final String DETAIL_INDENT = "      ";

    private PlanRenderer() {
    }

    public static String text(FleetPlan plan, boolean colour) {
        StringBuilder out = new StringBuilder();
        String commit = plan.shortCommit().map(c -> "commit " + c).orElse("working directory (not a git commit)");
        out.append("pgrds plan — ").append(commit).append("\n");
        for (ClusterPlan c : plan.clusters()) {
            out.append('\n');
            cluster(out, c, colour);
        }
        out.append('\n');
        if (plan.hasChanges()) {
            out.append("Plan: ").append(plan.count(ActionKind.Symbol.ADD)).append(" to add, ")
                    .append(plan.count(ActionKind.Symbol.CHANGE)).append(" to change, ")
                    .append(plan.count(ActionKind.Symbol.REMOVE)).append(" to remove.\n");
        }
        List<String> refused = plan.clusters().stream().filter(ClusterPlan::refused).map(c -> c.id().toString())
                .toList();
        if (!refused.isEmpty()) {
            out.append(paint(colour, Palette.DANGER, "Refused: " + String.join(", ", refused)))
                    .append(" — nothing changes there until the cause above is gone.\n");
        } else if (!plan.hasChanges()) {
            out.append("No changes. The servers match ")
                    .append(plan.shortCommit().map(c -> "commit " + c).orElse("the files")).append(".\n");
        }
        return out.toString();
    }

    private static void cluster(StringBuilder out, ClusterPlan c, boolean colour) {
        out.append(c.id()).append('\n');
        for (String d : c.dangers()) {
            out.append("  ").append(paint(colour, Palette.DANGER, d)).append('\n');
        }
        for (Refusal r : c.refusals()) {
            out.append("  ").append(paint(colour, Palette.BAD, "! refused " + r.code() + ":")).append(' ')
                    .append(r.message()).append('\n');
            out.append(DETAIL_INDENT).append("next: ").append(r.nextStep()).append('\n');
        }
        for (String w : c.warnings()) {
            out.append("  ").append(paint(colour, Palette.CAUTION, "Warning:")).append(' ').append(w).append('\n');
        }
        List<Row> rows = new ArrayList<>();
        c.actions().forEach(a -> rows.addAll(rows(a)));
        int width = rows.stream().filter(Row::nodeColumn).mapToInt(r -> r.target().length()).max().orElse(0);
        for (Row row : rows) {
            out.append("  ").append(paint(colour, colourOf(row.symbol()), row.symbol().text())).append(' ')
                    .append(pad(row.label(), LABEL)).append(row.target());
            if (!row.detail().isEmpty()) {
                out.append(row.nodeColumn() ? " ".repeat(Math.max(0, width - row.target().length()) + 3) : "  ")
                        .append(row.detail());
            }
            out.append('\n');
            if (row.action() != null) {
                out.append(DETAIL_INDENT).append("why:  ").append(row.action().reason()).append('\n');
                row.action().risk().ifPresent(risk -> out.append(DETAIL_INDENT).append("risk: ").append(risk)
                        .append('\n'));
            }
        }
        if (c.startStop().values().stream().anyMatch(v -> v.startsWith(ClusterPlan.SYSTEMD))) {
            // where systemd runs a node the plan touches, which of them start and stop through it; pg_ctl otherwise
            out.append("  start/stop: ").append(String.join(", ", c.startStop().entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue()).toList())).append('\n');
        }
        String prefix = c.id() + ": ";
        String decision = c.decision().startsWith(prefix) ? c.decision().substring(prefix.length()) : c.decision();
        out.append("  decision: ").append(decision).append('\n');
    }

    /**
     * One line of the plan. {@code action} is set on the last line of an action, under which its reason and risk
     * are printed.
     */
    private record Row(ActionKind.Symbol symbol, String label, String target, String detail, boolean nodeColumn,
                       Action action) {
    }

    private static List<Row> rows(Action a) {
        ActionKind k = a.kind();
        return switch (k) {
            case INIT_PRIMARY -> one(a, ((Action.InitPrimary) a).node(), "");
            case RESTORE_PRIMARY -> {
                Action.RestorePrimary r = (Action.RestorePrimary) a;
                yield one(a, r.node(), "from " + r.from() + " (" + r.backup().map(b -> "backup " + b + ", ")
                        .orElse("") + r.target() + ")");
            }
            case CLONE_STANDBY -> {
                Action.CloneStandby c = (Action.CloneStandby) a;
                yield one(a, c.node(), "from " + c.from());
            }
            case START_NODE -> one(a, ((Action.StartNode) a).node(), "");
            case FENCE -> {
                Action.Fence f = (Action.Fence) a;
                yield one(a, f.node(), f.method() == Action.Fence.Method.STOP ? "(stop its server, data kept)"
                        : "(fence hook " + f.hook().orElse("?") + ")");
            }
            case PROMOTE -> {
                Action.Promote p = (Action.Promote) a;
                yield one(a, p.node(), p.formerPrimary().map(f -> "(former primary " + f + switch (p.fencing()) {
                    case SEEN_STOPPED -> "";
                    case HOOK -> ", fenced by the hook";
                    case OPERATOR -> ", fenced by the operator";
                    case QUORUM -> ", fenced by the quorum";
                } + ")").orElse(""));
            }
            case SWITCHOVER -> {
                Action.Switchover s = (Action.Switchover) a;
                yield one(a, s.from() + " → " + s.to(), "");
            }
            case REJOIN -> {
                Action.Rejoin r = (Action.Rejoin) a;
                yield one(a, r.node(), "as standby of " + r.newPrimary());
            }
            case REPOINT -> {
                Action.Repoint r = (Action.Repoint) a;
                yield one(a, r.node(), "from " + r.from().orElse("(no upstream)") + " to " + r.to());
            }
            case DEACTIVATE -> one(a, ((Action.Deactivate) a).node(), "(data kept)");
            case CHANGE_PARAMETERS -> {
                Action.ChangeParameters c = (Action.ChangeParameters) a;
                List<Row> rows = new ArrayList<>();
                for (int i = 0; i < c.changes().size(); i++) {
                    ParameterChange p = c.changes().get(i);
                    rows.add(new Row(k.symbol(), k.label(), p.text(), p.effect(), false,
                            i == c.changes().size() - 1 ? a : null));
                }
                yield rows;
            }
            case CHANGE_HBA -> List.of(new Row(k.symbol(), k.label(), "pg_hba.conf on "
                    + String.join(", ", a.nodes()), "(reload)", false, a));
            case ENSURE_ROLES -> {
                Action.EnsureRoles r = (Action.EnsureRoles) a;
                yield one(a, r.node(), "create " + String.join(", ", r.roles()));
            }
            case CONFIGURE_BACKUP -> {
                Action.ConfigureBackup b = (Action.ConfigureBackup) a;
                yield List.of(new Row(k.symbol(), k.label(), "stanza " + b.stanza(), "on repository "
                        + b.repository() + " (" + String.join(", ", b.nodes()) + ")", false, a));
            }
            case REGISTER_ENDPOINT -> {
                Action.RegisterEndpoint r = (Action.RegisterEndpoint) a;
                yield List.of(new Row(k.symbol(), k.label(), r.service(), "→ " + r.primary(), false, a));
            }
            case ENABLE_AT_BOOT, DISABLE_AT_BOOT -> {
                Action.AtBoot b = (Action.AtBoot) a;
                yield one(a, b.node(), "(systemd " + b.unit() + ")");
            }
        };
    }

    private static List<Row> one(Action a, String target, String detail) {
        return List.of(new Row(a.kind().symbol(), a.kind().label(), target, detail, true, a));
    }

    private static Palette colourOf(ActionKind.Symbol s) {
        return switch (s) {
            case ADD -> Palette.GOOD;
            case CHANGE -> Palette.CAUTION;
            case REMOVE -> Palette.BAD;
        };
    }

    private static String paint(boolean colour, Palette palette, String text) {
        return palette.paint(text, colour);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }

    /** The plan as JSON, format version 1 (see {@code docs/plan-json.md}). */
    public static String json(FleetPlan plan) {
        return PlanJson.write(PlanJson.tree(plan));
    }

    /** "2 added, 1 changed, 0 removed". */
    public static String summary(FleetPlan plan) {
        return plan.count(ActionKind.Symbol.ADD) + " added, " + plan.count(ActionKind.Symbol.CHANGE) + " changed, "
                + plan.count(ActionKind.Symbol.REMOVE) + " removed";
    }
}
