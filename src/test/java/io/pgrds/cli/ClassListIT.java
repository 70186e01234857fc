package io.pgrds.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.bench.ClassListTraining;
import io.pgrds.harness.TestHosts;
import io.pgrds.testing.FleetRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class list the package makes its class data sharing archive from holds what {@code pgrds status} loads on
 * real nodes (a primary and a streaming standby over real SSH and SQL), so that the archive serves the command
 * people run most, not only the {@code validate} a build can run. A class status loads and the list lacks is read
 * and verified from the jar on every run; when more than a few are, bench/classlist.sh writes the list again.
 */
class ClassListIT {
    /** How many of the classes status loads may be missing from the list before it must be written again. */
    private static final double MISSING_AT_MOST = 0.02;

    @RegisterExtension
    static final TestHosts hosts = TestHosts.create(2);

    @TempDir
    Path tmp;

    @Test
    void theShippedClassListHoldsWhatStatusLoadsOnNodes() throws Exception {
        Path shipped = Path.of(System.getProperty("pgrds.deb.root", "target/deb-root"),
                "usr/lib/pgrds/pgrds.classlist");
        Assumptions.assumeTrue(Files.exists(shipped), "skipped: " + shipped + " is missing (-Dpgrds.deb.skip?)");
        hosts.nodes().forEach(hosts::reset);
        try {
            hosts.initPrimary(hosts.node(0));
            hosts.cloneStandby(hosts.node(0), hosts.node(1));
            hosts.awaitStreaming(hosts.node(0), hosts.node(1));
            FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
            fleet.commit("orderdata/integration", ClassListTraining.clusterFile(hosts));

            Set<String> loaded = ClassListTraining.loaded(Path.of(System.getProperty("pgrds.jar",
                    "target/pgrds.jar")).toAbsolutePath(), fleet.dir(), tmp, "status");
            // started as a user starts it, status says nothing on stderr (Warmup starts Logback on a thread of its
            // own while the main thread already asks for loggers; SLF4J must not announce that)
            assertEquals("", Files.readString(tmp.resolve("status.err")));
            assertTrue(Files.readString(tmp.resolve("status.out")).contains("in sync"), Files.readString(
                    tmp.resolve("status.out")));
            Set<String> listed = ClassListTraining.named(Files.readAllLines(shipped));
            Set<String> missing = new TreeSet<>(loaded);
            missing.removeAll(listed);
            System.out.printf("ClassListIT: status loaded %d classes; the package's class list lacks %d of them%n",
                    loaded.size(), missing.size());

            // the status run really went over SSH and SQL, and the list has those classes from the node list
            for (String reached : List.of("net/schmizz/sshj/SSHClient", "org/postgresql/Driver",
                    "io/pgrds/observe/SqlProbe")) {
                assertTrue(loaded.contains(reached), "status loaded " + reached);
                assertTrue(listed.contains(reached), "the package's class list holds " + reached);
            }
            assertTrue(missing.size() <= loaded.size() * MISSING_AT_MOST, missing.size() + " of the " + loaded.size()
                    + " classes status loads are not in the package's class list, so the archive does not serve"
                    + " them (" + missing.stream().limit(20).toList() + (missing.size() > 20 ? " …" : "")
                    + "). Write src/main/cds/nodes.classlist again with bench/classlist.sh and commit it.");
        } finally {
            hosts.nodes().forEach(hosts::reset);
        }
    }
}
