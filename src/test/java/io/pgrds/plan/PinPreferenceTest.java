package io.pgrds.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.observe.ObservedCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * After a failover away from the pinned node: a person's plan shows the switch back (marked as one); the daemon's
 * plan keeps the failover's primary and says so in a warning, so that nothing after the switchover waits for it.
 */
class PinPreferenceTest {
    private static final Path DIR = Path.of("src/test/resources/scenarios/switchover-back-after-failover-held-for-a-person");

    private static ClusterPlan plan(Confirmations c) throws Exception {
        DesiredCluster desired = ScenarioDesired.load(DIR);
        ObservedCluster observed = ScenarioObserved.parse(Files.readString(DIR.resolve("observed.json")), desired);
        return Planner.plan(desired, observed, c);
    }

    @Test
    void aPersonsPlanSwitchesBackMarkedAsASwitchBack() throws Exception {
        ClusterPlan p = plan(Confirmations.NONE);
        List<Action.Switchover> switchovers = p.actions().stream().filter(a -> a instanceof Action.Switchover)
                .map(a -> (Action.Switchover) a).toList();
        assertEquals(1, switchovers.size(), p.actions().toString());
        assertTrue(switchovers.get(0).switchBack());
    }

    @Test
    void theDaemonsPlanKeepsTheFailoversPrimaryAndWarns() throws Exception {
        ClusterPlan p = plan(Confirmations.DAEMON);
        assertTrue(p.actions().stream().noneMatch(a -> a instanceof Action.Switchover), p.actions().toString());
        assertTrue(p.warnings().stream().anyMatch(w -> w.startsWith("pg2 has been the primary since the failover at "
                + "2026-12-01T03:14:07Z (by pgrds-daemon@ops1); the file pins pg1. Switching back is a person's call")),
                p.warnings().toString());
        assertTrue(p.decision().contains("pg2 primary"), p.decision());
    }
}
