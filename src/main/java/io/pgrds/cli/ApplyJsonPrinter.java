package io.pgrds.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgrds.apply.ApplyListener;
import io.pgrds.desired.ClusterId;
import io.pgrds.plan.Action;
import io.pgrds.util.Json;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code apply --json}: one JSON object per line while the apply runs (docs/apply-json.md), each with
 * {@code format_version}, {@code event} and {@code time}: the plan first, then the actions as they start, finish or
 * fail, their progress, the commands of a dry run, notices, and a last {@code done} line.
 */
final class ApplyJsonPrinter implements ApplyListener {
    static final String FORMAT_VERSION = "1";
    private final Terminal t;
    private final boolean dryRun;

    ApplyJsonPrinter(Terminal t, boolean dryRun) {
        this.t = t;
        this.dryRun = dryRun;
    }

    private ObjectNode event(String event, ClusterId cluster) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("format_version", FORMAT_VERSION).put("event", event).put("time", Instant.now().toString());
        o.put("cluster", cluster == null ? null : cluster.toString());
        return o;
    }

    private synchronized void emit(ObjectNode o) {
        t.out().println(o.toString());
        t.out().flush();
    }

    /** The plan about to be applied, as plan --json prints it (docs/plan-json.md), under "plan". */
    void plan(JsonNode plan) {
        ObjectNode o = event("plan", null);
        o.set("plan", plan);
        emit(o);
    }

    /** The last line: whether the apply succeeded, and the exit status it ends with. */
    void done(boolean ok, int exit, String summary) {
        emit(event("done", null).put("ok", ok).put("dry_run", dryRun).put("exit", exit).put("summary", summary));
    }

    private ObjectNode action(String event, ClusterId cluster, Action action) {
        return event(event, cluster).put("kind", action.kind().name().toLowerCase(java.util.Locale.ROOT))
                .put("action", action.describe());
    }

    @Override
    public void actionStarted(ClusterId cluster, Action action) {
        emit(action("action_started", cluster, action));
    }

    @Override
    public void actionFinished(ClusterId cluster, Action action, Duration took) {
        emit(action("action_finished", cluster, action).put("millis", took.toMillis()));
    }

    @Override
    public void actionFailed(ClusterId cluster, Action action, Duration took, String why) {
        emit(action("action_failed", cluster, action).put("millis", took.toMillis()).put("error", why));
    }

    @Override
    public void progress(ClusterId cluster, String node, String message) {
        emit(event("progress", cluster).put("node", node).put("message", message));
    }

    @Override
    public void command(ClusterId cluster, String node, String command) {
        if (dryRun) {
            emit(event("command", cluster).put("node", node).put("command", command));
        }
    }

    @Override
    public void notice(ClusterId cluster, String message) {
        emit(event("notice", cluster).put("message", message));
    }
}
