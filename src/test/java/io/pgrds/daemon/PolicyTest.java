package io.pgrds.daemon;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import io.pgrds.observe.ObservedCluster;
import io.pgrds.observe.NodeState;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgrds.desired.Bootstrap;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.ReconcilePolicy;
import io.pgrds.plan.Action;
import io.pgrds.plan.ActionKind;
import io.pgrds.plan.ClusterPlan;
import io.pgrds.plan.ParameterChange;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyTest {
    private static final Optional<String> NO_RISK = Optional.empty();
    static final ClusterId ID = new ClusterId("orderdata", "integration");

    static final Action INIT = new Action.InitPrimary("pg1", "r", NO_RISK);
    static final Action RESTORE = new Action.RestorePrimary("pg1", new ClusterId("orderdata", "prod"),
            Bootstrap.RecoveryTarget.latest(), Optional.of("20261127-030000F"), Optional.empty(), "r", NO_RISK);
    static final Action CLONE = new Action.CloneStandby("pg3", "pg1", "r", NO_RISK);
    static final Action START = new Action.StartNode("pg2", "r", NO_RISK);
    static final Action FENCE = new Action.Fence("pg1", Action.Fence.Method.STOP, Optional.empty(), "r", NO_RISK);
    static final Action FENCE_HOOK = new Action.Fence("pg1", Action.Fence.Method.HOOK,
            Optional.of("/usr/local/sbin/fence-node"), "r", NO_RISK);
    static final Action PROMOTE = new Action.Promote("pg2", Optional.of("pg1"), Action.Promote.Fencing.SEEN_STOPPED,
            "r", NO_RISK);
    static final Action SWITCHOVER = new Action.Switchover("pg1", "pg2", "r", NO_RISK);
    static final Action REJOIN = new Action.Rejoin("pg1", "pg2", "r", NO_RISK);
    static final Action REPOINT = new Action.Repoint("pg3", Optional.of("pg1"), "pg2", "r", NO_RISK);
    static final Action DEACTIVATE = new Action.Deactivate("pg4", "r", NO_RISK);
    static final Action RELOAD = new Action.ChangeParameters(List.of(new ParameterChange("work_mem",
            Optional.of("4MB"), Optional.of("8MB"), false, true)), List.of("pg2", "pg1"), "r", NO_RISK);
    static final Action RESTART = new Action.ChangeParameters(List.of(new ParameterChange("work_mem",
            Optional.of("4MB"), Optional.of("8MB"), false, true), new ParameterChange("max_connections",
            Optional.of("100"), Optional.of("200"), true, true)), List.of("pg2", "pg1"), "r", NO_RISK);
    static final Action HBA = new Action.ChangeHba(List.of("pg1", "pg2"), "r", NO_RISK);
    static final Action ROLES = new Action.EnsureRoles("pg1", List.of("pgrds"), "r", NO_RISK);
    static final Action BACKUP = new Action.ConfigureBackup("orderdata-integration", "posix /var/lib/pgbackrest",
            "pg1", List.of("pg1", "pg2"), List.of(), "r", NO_RISK);
    static final Action ENDPOINT = new Action.RegisterEndpoint("orders.example", "pg1", "r", NO_RISK);
    static final Action ENABLE = new Action.AtBoot("pg2", "pgrds@var-lib-pgrds-data.service", true, "r", NO_RISK);
    static final Action DISABLE = new Action.AtBoot("pg4", "pgrds@var-lib-pgrds-data.service", false, "r", NO_RISK);

    /** What {@code safe} allows, per kind: the documented table. */
    private static final Map<ActionKind, Boolean> SAFE = new EnumMap<>(Map.ofEntries(
            Map.entry(ActionKind.INIT_PRIMARY, false),
            Map.entry(ActionKind.RESTORE_PRIMARY, false),
            Map.entry(ActionKind.CLONE_STANDBY, true),
            Map.entry(ActionKind.START_NODE, true),
            Map.entry(ActionKind.FENCE, true), // by stopping a stale primary; see the hook case
            Map.entry(ActionKind.PROMOTE, false),
            Map.entry(ActionKind.SWITCHOVER, false),
            Map.entry(ActionKind.REJOIN, false),
            Map.entry(ActionKind.REPOINT, true),
            Map.entry(ActionKind.DEACTIVATE, false),
            Map.entry(ActionKind.CHANGE_PARAMETERS, true), // without a restart; see the restart case
            Map.entry(ActionKind.CHANGE_HBA, true),
            Map.entry(ActionKind.ENSURE_ROLES, true),
            Map.entry(ActionKind.CONFIGURE_BACKUP, true),
            Map.entry(ActionKind.REGISTER_ENDPOINT, true),
            // the server is not touched: whether a reboot starts it again
            Map.entry(ActionKind.ENABLE_AT_BOOT, true),
            Map.entry(ActionKind.DISABLE_AT_BOOT, true)));

    static Stream<Arguments> everyKind() {
        return Stream.of(INIT, RESTORE, CLONE, START, FENCE, PROMOTE, SWITCHOVER, REJOIN, REPOINT, DEACTIVATE, RELOAD, HBA,
                ROLES, BACKUP, ENDPOINT, ENABLE, DISABLE).map(a -> Arguments.of(a.kind(), a));
    }

    @Test
    void theExamplesCoverEveryKind() {
        assertEquals(Arrays.asList(ActionKind.values()), everyKind().map(a -> a.get()[0]).toList());
        assertEquals(ActionKind.values().length, SAFE.size());
    }

    @ParameterizedTest(name = "observe holds back {0}")
    @MethodSource("everyKind")
    void observeAppliesNothing(ActionKind kind, Action action) {
        assertEquals(false, Policy.allowed(ReconcilePolicy.OBSERVE, action));
    }

    @ParameterizedTest(name = "full applies {0}")
    @MethodSource("everyKind")
    void fullAppliesEverything(ActionKind kind, Action action) {
        assertEquals(true, Policy.allowed(ReconcilePolicy.FULL, action));
    }

    @ParameterizedTest(name = "safe and {0}")
    @MethodSource("everyKind")
    void safeAppliesOnlyWhatNeitherMovesThePrimaryNorRestartsNorDeactivatesNorRestores(ActionKind kind,
                                                                                        Action action) {
        assertEquals(SAFE.get(kind), Policy.allowed(ReconcilePolicy.SAFE, action));
    }

    @Test
    void safeHoldsBackAParameterChangeThatNeedsARestart() {
        assertEquals(false, Policy.allowed(ReconcilePolicy.SAFE, RESTART));
        assertEquals(true, Policy.allowed(ReconcilePolicy.FULL, RESTART));
    }

    @Test
    void evenFullNeverSwitchesBackToThePinAfterAFailoverAPersonDoes() {
        Action back = new Action.Switchover("pg2", "pg1", "the pin is a preference after a failover", NO_RISK, true);
        assertEquals(false, Policy.allowed(ReconcilePolicy.FULL, back));
        assertEquals(false, Policy.allowed(ReconcilePolicy.SAFE, back));
        assertEquals(true, Policy.allowed(ReconcilePolicy.FULL, SWITCHOVER), "a pin a person moved is applied");
        Policy.Split s = Policy.split(ReconcilePolicy.FULL, plan(CLONE, back, ENDPOINT));
        assertEquals(List.of(CLONE), s.apply());
        assertEquals(List.of(back, ENDPOINT), s.held());
    }

    @Test
    void aWatchedClusterWhosePrimaryIsDownIsLeftToTheWatchAnUnwatchedOneIsNot() {
        ObservedCluster down = new ObservedCluster(ID, List.of(
                stopped("pg1", NodeState.PRIMARY), stopped("pg2", NodeState.STANDBY)));
        Action startPrimary = new Action.StartNode("pg1", "r", NO_RISK);
        assertTrue(Policy.leftToTheWatch(true, down, plan(startPrimary, CLONE)));
        assertFalse(Policy.leftToTheWatch(false, down, plan(startPrimary, CLONE)), "no watch: the run starts it");
        assertFalse(Policy.leftToTheWatch(true, down, plan(START)), "a standby's start is the run's to make");
    }

    private static io.pgrds.observe.ObservedNode stopped(String name, NodeState state) {
        return new io.pgrds.observe.ObservedNode(name, "10.0.0." + name.substring(2), state, Optional.empty(), false,
                Optional.of(15), Optional.of("7301"), Optional.of(2), Optional.empty(), Optional.empty(),
                new java.util.TreeMap<>(), new java.util.TreeMap<>(), Optional.empty(), Optional.empty(), false,
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    private static ClusterPlan plan(Action... actions) {
        return new ClusterPlan(ID, List.of(actions), List.of(), List.of(), ID + ": something");
    }

    @Test
    void safeAppliesTheAllowedPrefixAndHoldsBackEverythingFromTheFirstDisallowedAction() {
        Policy.Split s = Policy.split(ReconcilePolicy.SAFE, plan(CLONE, HBA, SWITCHOVER, ROLES, ENDPOINT));
        assertEquals(List.of(CLONE, HBA), s.apply());
        assertEquals(List.of(SWITCHOVER, ROLES, ENDPOINT), s.held(), "allowed actions after a held one wait too");
    }

    @Test
    void aDisallowedFirstActionHoldsBackTheWholePlan() {
        Policy.Split s = Policy.split(ReconcilePolicy.SAFE, plan(RESTART, HBA));
        assertEquals(List.of(), s.apply());
        assertEquals(List.of(RESTART, HBA), s.held());
    }

    @Test
    void anAllowedPlanIsAppliedWhole() {
        Policy.Split s = Policy.split(ReconcilePolicy.SAFE, plan(CLONE, START, REPOINT, RELOAD, HBA, ROLES, ENDPOINT));
        assertEquals(7, s.apply().size());
        assertEquals(List.of(), s.held());
    }

    @Test
    void observeHoldsBackEveryActionAndFullNone() {
        assertEquals(List.of(CLONE, HBA), Policy.split(ReconcilePolicy.OBSERVE, plan(CLONE, HBA)).held());
        assertEquals(List.of(SWITCHOVER, DEACTIVATE), Policy.split(ReconcilePolicy.FULL, plan(SWITCHOVER,
                DEACTIVATE)).apply());
    }

    @Test
    void anEmptyPlanHasNothingToApplyOrHoldBack() {
        Policy.Split s = Policy.split(ReconcilePolicy.SAFE, plan());
        assertEquals(List.of(), s.apply());
        assertEquals(List.of(), s.held());
    }

    @Test
    void safeStopsAStaleOldPrimaryButNeverRunsTheFenceHookWhichComesWithAPromotion() {
        assertEquals(true, Policy.allowed(ReconcilePolicy.SAFE, FENCE), "a running stale primary is the danger");
        assertEquals(false, Policy.allowed(ReconcilePolicy.SAFE, FENCE_HOOK));
        assertEquals(true, Policy.allowed(ReconcilePolicy.FULL, FENCE_HOOK));
        assertEquals(false, Policy.allowed(ReconcilePolicy.OBSERVE, FENCE), "observe changes nothing: a DANGER state");
    }
}
