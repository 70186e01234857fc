package io.pgrds.observe;

/**
 * A server parameter in effect, from {@code pg_settings}.
 *
 * @param context        {@code pg_settings.context}: postmaster means a restart is needed to change it
 * @param pendingRestart changed in the files but waiting for a restart
 */
public record Setting(String value, String unit, String context, boolean pendingRestart) {
    public boolean needsRestart() {
        return "postmaster".equals(context);
    }
}
