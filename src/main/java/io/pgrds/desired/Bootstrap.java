package io.pgrds.desired;

/** How the first data of a cluster comes into being. */
public sealed interface Bootstrap permits Bootstrap.Initdb, Bootstrap.Restore {

    /** A new, empty database. */
    record Initdb() implements Bootstrap {
    }

    /** A restore from another cluster's backups, optionally to a point in time. */
    record Restore(ClusterId from, RecoveryTarget target) implements Bootstrap {
    }

    /** Where a restore stops. */
    record RecoveryTarget(Kind kind, String value) {
        public enum Kind { LATEST, TIME, LSN, NAME }

        public static RecoveryTarget latest() {
            return new RecoveryTarget(Kind.LATEST, "");
        }

        @Override
        public String toString() {
            return kind == Kind.LATEST ? "latest" : kind.name().toLowerCase(java.util.Locale.ROOT) + " " + value;
        }
    }
}
