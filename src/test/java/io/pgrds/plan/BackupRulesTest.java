package io.pgrds.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.observe.ObservedCluster;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Where a backup is taken, one rule at a time: a cluster of two or three, one to three facts set, one sentence
 * asserted. Every fact not set is in sync with the file (see {@link ScenarioObserved}).
 */
class BackupRulesTest {
    private static final String NODES = "postgres: {version: 15}\nnodes:\n  - {name: pg1, host: 10.0.0.1}\n"
            + "  - {name: pg2, host: 10.0.0.2}\n  - {name: pg3, host: 10.0.0.3}\n"
            + "repositories: {main: {type: posix, path: /var/lib/pgbackrest}}\n";
    private static final String FROM_PRIMARY = NODES + "backup: {repository: main}\n";
    private static final String FROM_STANDBY = NODES + "backup: {repository: main, fromStandby: true}\n";
    private static final String STANDBY_OF_PG1 = "\"upstream\": \"10.0.0.1\"";
    /** The markers as the apply that promoted pg2 wrote them. */
    private static final String MARKER_PG2 = "\"marker\": {\"cluster\": \"test/scenario\", \"systemIdentifier\": "
            + "\"7300000000000000001\", \"deactivated\": false, \"members\": [" + member("pg1") + ", "
            + member("pg2") + ", " + member("pg3") + "], \"primary\": \"pg2\", \"appliedCommit\": \"1111111\"}";

    private static String member(String name) {
        return "{\"name\": \"" + name + "\", \"host\": \"10.0.0." + name.substring(2) + "\", \"sshPort\": 22, "
                + "\"sshUser\": \"root\", \"dataDirectory\": \"/var/lib/pgrds/test-scenario/data\", \"port\": 5432, "
                + "\"binDir\": \"/usr/lib/postgresql/15/bin\"}";
    }

    private static String node(String name, String state, String facts) {
        return "{\"name\": \"" + name + "\", \"state\": \"" + state + "\"" + (facts.isEmpty() ? "" : ", " + facts) + "}";
    }

    /** The primary pg1, listing the standbys given as streaming at the replay positions given. */
    private static String primaryStreamingTo(String... standbyAndLsn) {
        StringBuilder peers = new StringBuilder();
        for (int i = 0; i < standbyAndLsn.length; i += 2) {
            peers.append(peers.isEmpty() ? "" : ", ").append("{\"applicationName\": \"").append(standbyAndLsn[i])
                    .append("\", \"clientAddress\": \"10.0.0.9\", \"state\": \"streaming\", \"replayLsn\": \"")
                    .append(standbyAndLsn[i + 1]).append("\", \"lagBytes\": 0}");
        }
        return node("pg1", "PRIMARY", "\"sql\": {\"currentLsn\": \"0/6000000\", \"replication\": [" + peers + "]}");
    }

    private static String standby(String name, String replayLsn) {
        return node(name, "STANDBY", STANDBY_OF_PG1 + ", \"sql\": {\"replayLsn\": \"" + replayLsn + "\"}");
    }

    private static String sentence(String yaml, String... nodes) {
        DesiredCluster desired = ScenarioDesired.parse(yaml);
        ObservedCluster observed = ScenarioObserved.parse("{\"nodes\": [" + String.join(", ", nodes) + "]}", desired);
        BackupChoice choice = BackupRules.choose(desired, observed);
        if (choice instanceof BackupChoice.Take t) {
            return "on " + t.node() + t.standbyOf().map(p -> " (standby of " + p + ")").orElse("")
                    + t.note().map(n -> "; " + n).orElse("");
        }
        return "refused " + ((BackupChoice.Refused) choice).refusals().stream().map(x -> x.code() + x.node().map(
                n -> " " + n).orElse("")).collect(Collectors.joining(", "));
    }

    @Test
    void aBackupIsTakenOnTheRunningPrimary() {
        assertEquals("on pg1", sentence(FROM_PRIMARY, node("pg1", "PRIMARY", ""), standby("pg2", "0/5000000"),
                standby("pg3", "0/5000000")));
    }

    @Test
    void fromStandbyTakesTheStreamingStandbyThatReplayedTheMost() {
        assertEquals("on pg3 (standby of pg1)", sentence(FROM_STANDBY,
                primaryStreamingTo("pg2", "0/5000000", "pg3", "0/5800000"), standby("pg2", "0/5000000"),
                standby("pg3", "0/5800000")));
    }

    @Test
    void aStandbyThePrimaryDoesNotListAsStreamingIsNotBackedUpFrom() {
        assertEquals("on pg2 (standby of pg1)", sentence(FROM_STANDBY, primaryStreamingTo("pg2", "0/5000000"),
                standby("pg2", "0/5000000"), standby("pg3", "0/5800000")));
    }

    @Test
    void fromStandbyWithoutAStreamingStandbyFallsBackToThePrimaryAndSaysSo() {
        assertEquals("on pg1; no standby of test/scenario is streaming from pg1: backing up from the primary",
                sentence(FROM_STANDBY, primaryStreamingTo(), standby("pg2", "0/5000000"),
                        node("pg3", "STANDBY", STANDBY_OF_PG1 + ", \"running\": false, \"sql\": null")));
    }

    @Test
    void aNodeThatCannotBeSeenRefusesTheBackupItMayBeAPrimary() {
        assertEquals("refused NODE_UNREACHABLE pg3", sentence(FROM_PRIMARY, node("pg1", "PRIMARY", ""),
                standby("pg2", "0/5000000"), node("pg3", "UNREACHABLE", "\"error\": \"no answer\"")));
    }

    @Test
    void twoPrimariesNeitherKnownStaleRefuseTheBackup() {
        assertEquals("refused SPLIT_BRAIN", sentence(FROM_PRIMARY, node("pg1", "PRIMARY", "\"timeline\": 2"),
                node("pg2", "PRIMARY", "\"timeline\": 2"), standby("pg3", "0/5000000")));
    }

    @Test
    void aStaleFormerPrimaryStillRunningRefusesTheBackupUntilApplyStopsIt() {
        assertEquals("refused STALE_PRIMARY_RUNNING pg1", sentence(FROM_PRIMARY, node("pg1", "PRIMARY",
                "\"timeline\": 1"), node("pg2", "PRIMARY", "\"timeline\": 2, " + MARKER_PG2),
                standby("pg3", "0/5000000")));
    }

    @Test
    void aStaleFormerPrimaryStoppedLeavesTheBackupToTheCurrentOne() {
        assertEquals("on pg2", sentence(FROM_PRIMARY, node("pg1", "PRIMARY", "\"timeline\": 1, \"running\": false, "
                + "\"sql\": null"), node("pg2", "PRIMARY", "\"timeline\": 2"), standby("pg3", "0/5000000")));
    }

    @Test
    void aStoppedPrimaryRefusesTheBackup() {
        assertEquals("refused NO_RUNNING_PRIMARY pg1", sentence(FROM_PRIMARY, node("pg1", "PRIMARY",
                "\"running\": false, \"sql\": null"), standby("pg2", "0/5000000"), standby("pg3", "0/5000000")));
    }

    @Test
    void noPrimaryAtAllRefusesTheBackup() {
        assertEquals("refused NO_RUNNING_PRIMARY", sentence(FROM_PRIMARY, standby("pg1", "0/5000000"),
                standby("pg2", "0/5000000"), standby("pg3", "0/5000000")));
    }
}
