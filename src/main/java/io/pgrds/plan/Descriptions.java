package io.pgrds.plan;

/**
 * The one line that names each action ({@link Action#describe()}): the text plan's lines, the JSON plan's
 * {@code summary}, progress and the audit trail show it. Prose only, kept together so that the plan's wording
 * reads in one place; what an action does is its record.
 */
final class Descriptions implements Action.Visitor<String> {
    static final Descriptions LINE = new Descriptions();

    private Descriptions() {
    }

    @Override
    public String initPrimary(Action.InitPrimary a) {
        return "init primary " + a.node();
    }

    @Override
    public String restorePrimary(Action.RestorePrimary a) {
        return "restore primary " + a.node() + " from " + a.from() + " (" + a.backup().map(b -> "backup " + b + ", ")
                .orElse("") + a.target() + ")";
    }

    @Override
    public String cloneStandby(Action.CloneStandby a) {
        return "clone standby " + a.node() + " from " + a.from();
    }

    @Override
    public String startNode(Action.StartNode a) {
        return "start " + a.node();
    }

    @Override
    public String fence(Action.Fence a) {
        return "fence " + a.node() + (a.method() == Action.Fence.Method.STOP ? " (stop its server, data kept)"
                : " (fence hook " + a.hook().orElse("?") + ")");
    }

    @Override
    public String promote(Action.Promote a) {
        return "promote " + a.node() + a.formerPrimary().map(f -> " (former primary " + f + ")").orElse("");
    }

    @Override
    public String switchover(Action.Switchover a) {
        return "switchover " + a.from() + " → " + a.to();
    }

    @Override
    public String rejoin(Action.Rejoin a) {
        return "rejoin " + a.node() + " as standby of " + a.newPrimary();
    }

    @Override
    public String repoint(Action.Repoint a) {
        return "repoint " + a.node() + " from " + a.from().orElse("(no upstream)") + " to " + a.to();
    }

    @Override
    public String deactivate(Action.Deactivate a) {
        return "deactivate " + a.node() + " (data kept)";
    }

    @Override
    public String changeParameters(Action.ChangeParameters a) {
        int n = a.changes().size();
        return "change " + n + (n == 1 ? " parameter" : " parameters") + " on " + String.join(", ", a.nodes())
                + (a.restart() ? " (restart)" : " (reload)");
    }

    @Override
    public String changeHba(Action.ChangeHba a) {
        return "rewrite pg_hba.conf on " + String.join(", ", a.nodes()) + " (reload)";
    }

    @Override
    public String ensureRoles(Action.EnsureRoles a) {
        return "create roles " + String.join(", ", a.roles()) + " on " + a.node();
    }

    @Override
    public String configureBackup(Action.ConfigureBackup a) {
        return "configure backup stanza " + a.stanza() + " on repository " + a.repository() + " ("
                + String.join(", ", a.nodes()) + ")";
    }

    @Override
    public String atBoot(Action.AtBoot a) {
        return (a.enable() ? "enable " : "disable ") + a.unit() + " on " + a.node() + " (start at boot: "
                + (a.enable() ? "yes" : "no") + ")";
    }

    @Override
    public String registerEndpoint(Action.RegisterEndpoint a) {
        return "register endpoint " + a.service() + " → " + a.primary();
    }
}
