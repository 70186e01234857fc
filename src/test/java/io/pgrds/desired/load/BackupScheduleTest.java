package io.pgrds.desired.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgrds.desired.BackupType;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** {@code backup.schedule}: one expression (full backups) or one per type, merged across files like any mapping. */
class BackupScheduleTest {
    private static final String DEFAULTS = "repositories: {main: {type: posix, path: /var/lib/pgbackrest}}\n";

    private static FleetLoader.Result load(Map<String, String> files) {
        TreeMap<String, byte[]> bytes = new TreeMap<>();
        files.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
        return FleetLoader.load(Fixtures.snapshot(bytes));
    }

    private static Map<BackupType, String> schedule(FleetLoader.Result r) {
        assertEquals(List.of(), r.problems());
        DesiredCluster c = r.fleet().clusters().get(0);
        return c.backup().orElseThrow().schedule();
    }

    @Test
    void oneExpressionIsTheScheduleOfFullBackupsAsBefore() {
        assertEquals(Map.of(BackupType.FULL, "0 0 3 * * ?"), schedule(load(Map.of("clusters/defaults.yaml", DEFAULTS,
                "clusters/orderdata/integration.yaml", "nodes: [{host: h1}]\n"
                        + "backup: {repository: main, schedule: \"0 0 3 * * ?\"}\n"))));
    }

    @Test
    void aMappingNamesAnExpressionPerTypeBiggestFirst() {
        Map<BackupType, String> s = schedule(load(Map.of("clusters/defaults.yaml", DEFAULTS,
                "clusters/orderdata/integration.yaml", "nodes: [{host: h1}]\nbackup:\n  repository: main\n"
                        + "  schedule: {incr: \"0 0 * * * ?\", full: \"0 0 3 ? * SUN\", diff: \"0 0 3 ? * MON-SAT\"}\n"
                        + "  retention: {full: 4, diff: 7}\n")));
        assertEquals(List.of(BackupType.FULL, BackupType.DIFF, BackupType.INCR), List.copyOf(s.keySet()));
        assertEquals(List.of("0 0 3 ? * SUN", "0 0 3 ? * MON-SAT", "0 0 * * * ?"), List.copyOf(s.values()));
    }

    @Test
    void typesMergeAcrossFilesAndAnEmptyValueRemovesOne() {
        String fleet = DEFAULTS + "backup:\n  repository: main\n"
                + "  schedule: {full: \"0 0 3 ? * SUN\", diff: \"0 0 3 ? * MON-SAT\"}\n";
        assertEquals(Map.of(BackupType.FULL, "0 0 3 ? * SUN", BackupType.DIFF, "0 0 3 ? * MON-SAT",
                BackupType.INCR, "0 0 * * * ?"), schedule(load(Map.of("clusters/defaults.yaml", fleet,
                "clusters/orderdata/integration.yaml", "nodes: [{host: h1}]\n"
                        + "backup: {schedule: {incr: \"0 0 * * * ?\"}}\n"))));
        assertEquals(Map.of(BackupType.FULL, "0 0 3 ? * SUN"), schedule(load(Map.of("clusters/defaults.yaml", fleet,
                "clusters/orderdata/integration.yaml", "nodes: [{host: h1}]\nbackup: {schedule: {diff: ~}}\n"))));
        assertEquals(Map.of(BackupType.FULL, "0 30 1 * * ?"), schedule(load(Map.of("clusters/defaults.yaml", fleet,
                "clusters/orderdata/integration.yaml", "nodes: [{host: h1}]\n"
                        + "backup: {schedule: \"0 30 1 * * ?\"}\n"))), "one expression replaces the mapping whole");
    }

    @Test
    void aBadExpressionInDefaultsIsReportedOnceAndLeftOutOfEveryCluster() {
        FleetLoader.Result r = load(Map.of("clusters/defaults.yaml", DEFAULTS + "backup:\n  repository: main\n"
                        + "  schedule: {full: \"0 0 3 ? * SUN\", incr: \"0 * * * *\"}\n",
                "clusters/orderdata/integration.yaml", "nodes: [{host: h1}]\n",
                "clusters/orderdata/production.yaml", "nodes: [{host: h2}]\n"));
        assertEquals(List.of("clusters/defaults.yaml:4:37: INVALID_SCHEDULE at /backup/schedule/incr: \"0 * * * *\" "
                + "is a Unix cron expression (five fields); pgrds takes Quartz's, seconds first: seconds minutes hours "
                + "day-of-month month day-of-week [year], e.g. \"0 0 * * * ?\"."),
                r.problems().stream().map(Problem::toString).toList());
        assertEquals(2, r.fleet().clusters().size());
        r.fleet().clusters().forEach(c -> assertEquals(Map.of(BackupType.FULL, "0 0 3 ? * SUN"),
                c.backup().orElseThrow().schedule()));
    }
}
