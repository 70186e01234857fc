package io.pgrds.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgrds.harness.TestNode;
import io.pgrds.testing.Cli;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The primary is cut off from pgrds only: its sshd stops, but PostgreSQL runs on, clients write to it and its
 * standby still streams from it. Then the primary is removed from the cluster file. pgrds cannot reach it, so it
 * cannot stop it; promoting the standby would make a second writable primary beside one that is very much alive
 * (I1). {@code pgrds apply} must refuse to promote while the standby still receives WAL from the former primary
 * (which pgrds can see on the standby), saying so.
 *
 * <p>Afterwards the primary is reachable again and the file (the standby only) is applied: the former primary is
 * stopped and deactivated before the standby is promoted (I3), with no acknowledged commit lost (I2).
 */
class PartitionIT {
    @RegisterExtension
    static final FaultCluster cluster = FaultCluster.create(2);

    @ParameterizedTest(name = "round {0}")
    @MethodSource("io.pgrds.faults.Rounds#rounds")
    void aPrimaryCutOffFromPgrdsAndRemovedFromTheFileIsNotFailedOverWhileItsStandbyStillStreamsFromIt(int round)
            throws Exception {
        cluster.round("primary cut off, then removed from the file", round, r -> {
            TestNode primary = r.primary();
            TestNode standby = r.standby();
            Round.Fault cut = r.cutOff(primary);
            r.commit(List.of(standby), null);
            // the fault: pgrds cannot reach the primary, which still serves and replicates
            List<String> receiver = cluster.query(standby, "select status, sender_host from pg_stat_wal_receiver")
                    .stream().findFirst().orElse(List.of("none", ""));
            assertEquals(List.of("streaming", primary.address()), receiver, "the standby streams from the primary");
            Cli.Run apply = r.pgrds("apply", "--auto-approve");
            boolean promoted = cluster.writable(standby);
            boolean primaryWritable = cluster.writable(primary);
            String out = apply.out() + apply.err();
            cut.undo();
            r.verify(
                    Invariants.expect("apply refuses to promote " + standby.name() + " while it receives WAL from "
                                    + primary.name(),
                            apply.exit() != 0 && !promoted && out.contains("refused") && out.contains(primary.name()),
                            () -> "apply exit " + apply.exit() + (promoted ? ", " + standby.name() + " PROMOTED" : "")
                                    + (primaryWritable ? " while " + primary.name() + " still accepted writes" : "")
                                    + Invariants.said(apply)));
        });
    }
}
