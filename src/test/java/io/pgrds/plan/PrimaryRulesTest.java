package io.pgrds.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.observe.ObservedCluster;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The primary rules one at a time, as Patroni's HA tests do: a cluster of two, one to three facts set, one sentence
 * asserted. Every fact not set is in sync with the file (see {@link ScenarioObserved}); the scenario folders show
 * the whole plans.
 */
class PrimaryRulesTest {
    private static final String TWO = "postgres: {version: 15}\nnodes:\n  - {name: pg1, host: 10.0.0.1}\n"
            + "  - {name: pg2, host: 10.0.0.2}\n";
    private static final String PINNED_PG2 = TWO + "primary: pg2\n";
    private static final String ONLY_PG2 = "postgres: {version: 15}\nnodes:\n  - {name: pg2, host: 10.0.0.2}\n";
    private static final String MARKER = "\"marker\": {\"cluster\": \"test/scenario\", \"systemIdentifier\": "
            + "\"7300000000000000001\", \"deactivated\": false, \"members\": [{\"name\": \"pg1\", \"host\": \"10.0.0.1\", "
            + "\"sshPort\": 22, \"sshUser\": \"root\", \"dataDirectory\": \"/var/lib/pgrds/test-scenario/data\", "
            + "\"port\": 5432, \"binDir\": \"/usr/lib/postgresql/15/bin\"}, {\"name\": \"pg2\", \"host\": \"10.0.0.2\", "
            + "\"sshPort\": 22, \"sshUser\": \"root\", \"dataDirectory\": \"/var/lib/pgrds/test-scenario/data\", "
            + "\"port\": 5432, \"binDir\": \"/usr/lib/postgresql/15/bin\"}], \"primary\": \"pg1\", "
            + "\"appliedCommit\": \"1111111\"}";

    private static String node(String name, String state, String facts) {
        return "{\"name\": \"" + name + "\", \"state\": \"" + state + "\"" + (facts.isEmpty() ? "" : ", " + facts) + "}";
    }

    private static String sentence(String yaml, Confirmations confirmations, String... nodes) {
        DesiredCluster desired = ScenarioDesired.parse(yaml);
        ObservedCluster observed = ScenarioObserved.parse("{\"nodes\": [" + String.join(", ", nodes) + "]}", desired);
        return Planner.plan(desired, observed, confirmations).decision().replace(desired.id() + ": ", "");
    }

    private static String sentence(String yaml, String... nodes) {
        return sentence(yaml, Confirmations.NONE, nodes);
    }

    private static final String STANDBY_OF_PG1 = "\"upstream\": \"10.0.0.1\"";

    @Test
    void aPrimaryFoundStoppedIsStarted() {
        assertEquals("start pg1 as primary", sentence(TWO, node("pg1", "PRIMARY", "\"running\": false, \"sql\": null"),
                node("pg2", "STANDBY", STANDBY_OF_PG1)));
    }

    @Test
    void thePinMovedToAStandbyThatStreamsCloseBehindIsASwitchover() {
        assertEquals("switchover pg1 → pg2 (pinned)", sentence(PINNED_PG2, node("pg1", "PRIMARY",
                "\"sql\": {\"currentLsn\": \"0/5000100\", \"replication\": [{\"applicationName\": \"pg2\", "
                        + "\"clientAddress\": \"10.0.0.2\", \"state\": \"streaming\", \"replayLsn\": \"0/5000000\", "
                        + "\"lagBytes\": 256}]}"), node("pg2", "STANDBY", STANDBY_OF_PG1)));
    }

    @Test
    void aSwitchoverInterruptedAfterTheCleanStopCompletes() {
        assertEquals("complete switchover pg1 → pg2 (pg1 stopped cleanly, pg2 caught up)", sentence(PINNED_PG2,
                node("pg1", "PRIMARY", "\"running\": false, \"sql\": null, \"clusterState\": \"shut down\", "
                        + "\"checkpoint\": \"0/5000028\""),
                node("pg2", "STANDBY", STANDBY_OF_PG1 + ", \"sql\": {\"replayLsn\": \"0/50000A0\", "
                        + "\"walReceiverStatus\": \"waiting\"}")));
    }

    @Test
    void aPrimaryThatCrashedIsStartedBeforeItHandsOverNeverPassedOver() {
        assertEquals("start pg1, switchover pg1 → pg2 (pinned)", sentence(PINNED_PG2,
                node("pg1", "PRIMARY", "\"running\": false, \"sql\": null, \"clusterState\": \"in production\""),
                node("pg2", "STANDBY", STANDBY_OF_PG1 + ", \"sql\": {\"replayLsn\": \"0/50000A0\"}")));
    }

    @Test
    void aLostPrimaryIsNotFailedOverFromUnlessFenced() {
        String lost = node("pg1", "UNREACHABLE", "\"error\": \"no answer\"");
        String standby = node("pg2", "STANDBY", STANDBY_OF_PG1 + ", " + MARKER + ", \"sql\": {\"replayLsn\": "
                + "\"0/5000000\", \"walReceiverStatus\": \"waiting\"}");
        assertEquals("refused (FORMER_PRIMARY_NOT_FENCED pg1), nothing will change", sentence(ONLY_PG2, lost, standby));
        assertEquals("promote pg2 (pg1 unreachable, fenced by the operator)", sentence(ONLY_PG2,
                new Confirmations(Set.of("pg1")), lost, standby));
    }

    @Test
    void aStandbyThatStillHearsFromTheLostPrimaryVetoesThePromotionWhateverTheOperatorSays() {
        assertEquals("refused (FORMER_PRIMARY_ALIVE pg1), nothing will change", sentence(ONLY_PG2,
                new Confirmations(Set.of("pg1")), node("pg1", "UNREACHABLE", "\"error\": \"no answer\""),
                node("pg2", "STANDBY", STANDBY_OF_PG1 + ", " + MARKER + ", \"sql\": {\"replayLsn\": \"0/5000000\", "
                        + "\"walReceiverStatus\": \"streaming\", \"walReceiverSender\": \"10.0.0.1:5432\", "
                        + "\"walReceiverMessageAgeMillis\": 150}")));
    }

    @Test
    void twoPrimariesThePlannerCannotTellApartAreSplitBrain() {
        assertEquals("refused (SPLIT_BRAIN), nothing will change", sentence(TWO, node("pg1", "PRIMARY", ""),
                node("pg2", "PRIMARY", "")));
    }
}
