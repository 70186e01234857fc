package io.pgrds.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.observe.ObservedCluster;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The failover rules as the watching daemon meets them, one at a time: three nodes, the primary pg1 lost after 5 s of
 * failed health checks (a standby that heard from it within 3 s proves it alive), one to three facts set, one
 * sentence asserted. Every fact not set is in sync with the file (see {@link ScenarioObserved}).
 */
class FailoverRulesTest {
    private static final String THREE = "postgres: {version: 15}\nnodes:\n  - {name: pg1, host: 10.0.0.1}\n"
            + "  - {name: pg2, host: 10.0.0.2}\n  - {name: pg3, host: 10.0.0.3}\n"
            + "reconcile: {failover: automatic}\n";
    private static final String QUORUM_1 = THREE + "durability: {quorum: 1}\n";
    private static final String QUORUM_2 = THREE + "durability: {quorum: 2}\n";
    private static final String HOOK = THREE + "fence: {hook: /usr/local/sbin/fence-node}\n";
    private static final Confirmations LOST = new Confirmations(Set.of(),
            Optional.of(new Confirmations.Lost("pg1", 5000, 3000)), Set.of());
    private static final Confirmations CRASH_LOOP = new Confirmations(Set.of(),
            Optional.of(new Confirmations.Lost("pg1", 5000, 3000)), Set.of("pg1"));
    private static final String GONE = node("pg1", "UNREACHABLE", "\"error\": \"no answer\"");
    private static final String MARKER = "\"marker\": {\"cluster\": \"test/scenario\", \"systemIdentifier\": "
            + "\"7300000000000000001\", \"deactivated\": false, \"members\": [" + member("pg1") + ", " + member("pg2")
            + ", " + member("pg3") + "], \"primary\": \"pg1\", \"appliedCommit\": \"1111111\"}";

    private static String member(String name) {
        return "{\"name\": \"" + name + "\", \"host\": \"10.0.0." + name.substring(2) + "\", \"sshPort\": 22, "
                + "\"sshUser\": \"root\", \"dataDirectory\": \"/var/lib/pgrds/test-scenario/data\", \"port\": 5432, "
                + "\"binDir\": \"/usr/lib/postgresql/15/bin\"}";
    }

    private static String node(String name, String state, String facts) {
        return "{\"name\": \"" + name + "\", \"state\": \"" + state + "\"" + (facts.isEmpty() ? "" : ", " + facts) + "}";
    }

    /** A standby of pg1 at {@code replay}, its receiver as given. */
    private static String following(String name, String replay, String receiver) {
        return node(name, "STANDBY", "\"upstream\": \"10.0.0.1\", " + MARKER + ", \"sql\": {\"replayLsn\": \"" + replay
                + "\"" + (receiver.isEmpty() ? "" : ", " + receiver) + "}");
    }

    /** A standby detached from pg1: no upstream, no receiver. */
    private static String detached(String name, String replay) {
        return node(name, "STANDBY", MARKER + ", \"sql\": {\"replayLsn\": \"" + replay + "\", "
                + "\"walReceiverStatus\": null}");
    }

    private static String sentence(String yaml, Confirmations told, String... nodes) {
        DesiredCluster desired = ScenarioDesired.parse(yaml);
        ObservedCluster observed = ScenarioObserved.parse("{\"nodes\": [" + String.join(", ", nodes) + "]}", desired);
        return Planner.plan(desired, observed, told).decision().replace(desired.id() + ": ", "")
                .replaceFirst("; durability .*$", "").replaceFirst("; failover automatic.*$", "");
    }

    private static final String WAITING = "\"walReceiverStatus\": \"waiting\"";

    @Test
    void withoutALostPrimaryAnUnreachablePrimaryInTheFileIsStillRefused() {
        assertEquals("refused (DESIRED_PRIMARY_UNREACHABLE pg1), nothing will change", sentence(QUORUM_1,
                Confirmations.NONE, GONE, detached("pg2", "0/5000000"), detached("pg3", "0/5000000")));
    }

    @Test
    void aLostPrimaryWithAsyncDurabilityAndNoHookIsNotFailedOver() {
        assertEquals("refused (FORMER_PRIMARY_NOT_FENCED pg1), nothing will change", sentence(THREE, LOST, GONE,
                following("pg2", "0/5000000", WAITING), following("pg3", "0/4000000", WAITING)));
    }

    @Test
    void aStandbyThatHeardFromTheLostPrimaryWithinTheLastSecondsVetoesTheFailover() {
        assertEquals("refused (FORMER_PRIMARY_ALIVE pg1), nothing will change", sentence(QUORUM_1, LOST, GONE,
                following("pg2", "0/5000000", "\"walReceiverSender\": \"10.0.0.1:5432\", "
                        + "\"walReceiverMessageAgeMillis\": 900"), following("pg3", "0/5000000", WAITING)));
    }

    @Test
    void aReceiverStillSayingStreamingButSilentForLongerThanAHealthyLinkIsNoVeto() {
        assertEquals("refused (FORMER_PRIMARY_NOT_FENCED pg1), nothing will change", sentence(QUORUM_1, LOST, GONE,
                following("pg2", "0/5000000", "\"walReceiverSender\": \"10.0.0.1:5432\", "
                        + "\"walReceiverMessageAgeMillis\": 5200"), following("pg3", "0/5000000", WAITING)));
    }

    @Test
    void aQuorumOfDetachedStandbysFencesTheLostPrimaryAndTheMostAdvancedIsPromoted() {
        assertEquals("promote pg3 (pg1 unreachable, fenced by a quorum (pg2, pg3 detached)), repoint pg2",
                sentence(QUORUM_1, LOST, GONE, detached("pg2", "0/5000000"), detached("pg3", "0/5000100")));
    }

    @Test
    void fewerDetachedStandbysThanTheQuorumNeedsIsNoFence() {
        assertEquals("refused (FORMER_PRIMARY_NOT_FENCED pg1), nothing will change", sentence(QUORUM_1, LOST, GONE,
                detached("pg2", "0/5000000"), following("pg3", "0/5000100", WAITING)));
    }

    @Test
    void aLargerQuorumNeedsFewerStandbysDetached() {
        assertEquals("promote pg2 (pg1 unreachable, fenced by a quorum (pg2 detached)), repoint pg3", sentence(QUORUM_2,
                LOST, GONE, detached("pg2", "0/5000000"), following("pg3", "0/4000000", WAITING)));
    }

    @Test
    void theFenceHookFencesTheLostPrimaryWithAsyncDurability() {
        assertEquals("promote pg2 (pg1 unreachable, fenced by the hook first), repoint pg3", sentence(HOOK, LOST, GONE,
                following("pg2", "0/5000000", WAITING), following("pg3", "0/4000000", WAITING)));
    }

    @Test
    void aLostPrimaryWhoseHostAnswersAndWhoseServerStoppedIsStartedInPlace() {
        assertEquals("start pg1 as primary", sentence(THREE, LOST, node("pg1", "PRIMARY", "\"running\": false, "
                + "\"sql\": null, " + MARKER), following("pg2", "0/5000000", WAITING),
                following("pg3", "0/5000000", WAITING)));
    }

    @Test
    void aPrimaryInACrashLoopIsKeptStoppedAndFailedOverFrom() {
        assertEquals("promote pg2 (pg1 kept stopped after a crash loop), repoint pg3", sentence(THREE, CRASH_LOOP,
                node("pg1", "PRIMARY", "\"running\": false, \"sql\": null, " + MARKER), following("pg2", "0/5000000",
                WAITING), following("pg3", "0/4000000", WAITING)));
    }
}
