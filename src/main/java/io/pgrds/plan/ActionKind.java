package io.pgrds.plan;

/**
 * The kinds of {@link Action}, with how each is shown. Switching over this enum (a switch expression without a
 * default) is how renderers and codecs dispatch, so a new kind fails to compile until every one handles it.
 */
public enum ActionKind {
    INIT_PRIMARY(Symbol.ADD, "init primary", "init_primary"),
    RESTORE_PRIMARY(Symbol.ADD, "restore primary", "restore_primary"),
    CLONE_STANDBY(Symbol.ADD, "clone standby", "clone_standby"),
    START_NODE(Symbol.CHANGE, "start", "start_node"),
    FENCE(Symbol.CHANGE, "fence", "fence"),
    PROMOTE(Symbol.CHANGE, "promote", "promote"),
    SWITCHOVER(Symbol.CHANGE, "switchover", "switchover"),
    REJOIN(Symbol.CHANGE, "rejoin", "rejoin"),
    REPOINT(Symbol.CHANGE, "repoint", "repoint"),
    DEACTIVATE(Symbol.REMOVE, "deactivate", "deactivate"),
    CHANGE_PARAMETERS(Symbol.CHANGE, "parameter", "change_parameters"),
    CHANGE_HBA(Symbol.CHANGE, "hba", "change_hba"),
    ENSURE_ROLES(Symbol.CHANGE, "roles", "ensure_roles"),
    CONFIGURE_BACKUP(Symbol.CHANGE, "backup", "configure_backup"),
    REGISTER_ENDPOINT(Symbol.CHANGE, "endpoint", "register_endpoint"),
    ENABLE_AT_BOOT(Symbol.CHANGE, "enable at boot", "enable_at_boot"),
    DISABLE_AT_BOOT(Symbol.CHANGE, "disable at boot", "disable_at_boot");

    /** What an action does to the fleet, as terraform shows it. */
    public enum Symbol {
        /** Creates a data directory (init, restore, clone). */
        ADD("+"),
        /** Changes a node that keeps its data. */
        CHANGE("~"),
        /** Takes a node out of the cluster (its data is kept). */
        REMOVE("-");

        private final String text;

        Symbol(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    private final Symbol symbol;
    private final String label;
    private final String type;

    ActionKind(Symbol symbol, String label, String type) {
        this.symbol = symbol;
        this.label = label;
        this.type = type;
    }

    public Symbol symbol() {
        return symbol;
    }

    /** The label in the text plan ({@code clone standby}). */
    public String label() {
        return label;
    }

    /** The {@code type} in the JSON plan ({@code clone_standby}); stable, part of the JSON format. */
    public String type() {
        return type;
    }

    public static ActionKind ofType(String type) {
        for (ActionKind k : values()) {
            if (k.type.equals(type)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown action type: " + type);
    }
}
