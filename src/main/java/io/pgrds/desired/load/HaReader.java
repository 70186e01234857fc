package io.pgrds.desired.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrds.desired.Durability;
import io.pgrds.desired.FailoverSpec;
import io.pgrds.desired.NodeSpec;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code durability} and {@code reconcile.failover} with its timing, and what a schema cannot check of them. */
final class HaReader {
    private HaReader() {
    }

    /** {@code async} (or absent), or {@code {quorum: K}} with K at most the number of standbys. */
    static Durability durability(JsonNode doc, List<NodeSpec> nodes, Report report) {
        JsonNode quorum = doc.path("durability").path("quorum");
        if (!quorum.isIntegralNumber() || quorum.asInt() < 1) {
            return Durability.ASYNC; // absent, async, or a schema problem reported already
        }
        int k = quorum.asInt();
        int standbys = nodes.size() - 1;
        if (k > standbys) {
            report.add("/durability/quorum", ProblemCode.QUORUM_ABOVE_STANDBYS, "a quorum of " + k + " standbys, but "
                    + "the cluster has " + standbys + (standbys == 1 ? " standby" : " standbys") + " (" + nodes.size()
                    + " nodes, one of them the primary): no commit could ever be acknowledged. Use {quorum: "
                    + Math.max(1, standbys) + "} or fewer" + (standbys == 0 ? ", after adding a standby" : "")
                    + ", or async.");
            return Durability.ASYNC;
        }
        return new Durability.Quorum(k);
    }

    /**
     * Parameters the durability sets: {@code synchronous_standby_names} always (write {@code durability: {quorum:
     * K}} instead), {@code synchronous_commit} with a quorum (it must be on for the quorum to mean anything).
     */
    static void reservedBy(Durability durability, Set<String> parameters, Report report) {
        if (parameters.contains("synchronous_standby_names")) {
            report.add("/postgres/parameters/synchronous_standby_names", ProblemCode.RESERVED_PARAMETER,
                    "\"synchronous_standby_names\" cannot be set under parameters: pgrds sets it from durability. "
                            + "Write durability: {quorum: K} instead, and remove it.");
        }
        if (durability instanceof Durability.Quorum && parameters.contains("synchronous_commit")) {
            report.add("/postgres/parameters/synchronous_commit", ProblemCode.RESERVED_PARAMETER,
                    "\"synchronous_commit\" cannot be set under parameters with durability: {quorum: K}: pgrds sets "
                            + "it on, without which the quorum would not hold. Remove it.");
        }
    }

    static FailoverSpec failover(JsonNode doc, Report report) {
        JsonNode r = doc.path("reconcile");
        FailoverSpec d = FailoverSpec.MANUAL;
        boolean automatic = r.path("failover").asText("manual").toLowerCase(Locale.ROOT).equals("automatic");
        Duration interval = duration(r.path("healthInterval")).orElse(d.healthInterval());
        Duration after = duration(r.path("failoverAfter")).orElse(d.failoverAfter());
        long maxLag = bytes(r.path("maxLagOnFailover")).orElse(d.maxLagBytes());
        if (interval.toMillis() < 100) {
            report.add("/reconcile/healthInterval", ProblemCode.FAILOVER_TIMING, "a health check every "
                    + interval.toMillis() + " ms is too often; use 100ms or more (the default is 1s).");
        } else if (after.compareTo(interval.multipliedBy(2)) < 0) {
            report.add("/reconcile/failoverAfter", ProblemCode.FAILOVER_TIMING, "failoverAfter " + after.toMillis()
                    + " ms is less than two health checks (healthInterval " + interval.toMillis() + " ms): one slow "
                    + "answer would be a failover. Use at least " + interval.multipliedBy(2).toMillis() + "ms.");
        }
        return new FailoverSpec(automatic, interval, after, maxLag);
    }

    /** {@code 500ms}, {@code 2s}, {@code 1m}; empty when absent or not so written (the schema says so). */
    static java.util.Optional<Duration> duration(JsonNode n) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,6})(ms|s|m)").matcher(n.asText(""));
        if (!n.isTextual() || !m.matches()) {
            return java.util.Optional.empty();
        }
        long v = Long.parseLong(m.group(1));
        return java.util.Optional.of(switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(v);
            case "m" -> Duration.ofMinutes(v);
            default -> Duration.ofSeconds(v);
        });
    }

    /** Bytes, or {@code 16MB} (kB, MB, GB: 1024 based); empty when absent or not so written. */
    static java.util.OptionalLong bytes(JsonNode n) {
        if (n.isIntegralNumber() && n.asLong() >= 0) {
            return java.util.OptionalLong.of(n.asLong());
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,9})(kB|MB|GB)").matcher(n.asText(""));
        if (!n.isTextual() || !m.matches()) {
            return java.util.OptionalLong.empty();
        }
        int shift = switch (m.group(2)) {
            case "kB" -> 10;
            case "MB" -> 20;
            default -> 30;
        };
        return java.util.OptionalLong.of(Long.parseLong(m.group(1)) << shift);
    }
}
