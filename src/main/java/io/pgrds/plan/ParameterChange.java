package io.pgrds.plan;

import java.util.Optional;

/**
 * One server parameter that pgrds's configuration file changes.
 *
 * @param oldValue     the value found on the nodes (empty: not set by pgrds's file)
 * @param newValue     the value the cluster file wants (empty: removed from the file, back to the default)
 * @param restart      true when the change takes effect only after a restart
 * @param contextKnown false when {@code pg_settings} did not say (node stopped, or an extension's setting not
 *                     loaded); pgrds then restarts to be safe
 */
public record ParameterChange(String name, Optional<String> oldValue, Optional<String> newValue, boolean restart,
                              boolean contextKnown) {
    /** {@code max_connections 100 → 200}. */
    public String text() {
        return name + " " + oldValue.orElse("(unset)") + " → " + newValue.orElse("(default)");
    }

    /** {@code (restart)}, {@code (restart, context unknown)} or {@code (reload)}. */
    public String effect() {
        if (!restart) {
            return "(reload)";
        }
        return contextKnown ? "(restart)" : "(restart, context unknown)";
    }
}
