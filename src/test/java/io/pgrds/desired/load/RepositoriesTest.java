package io.pgrds.desired.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.Repository;
import io.pgrds.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RepositoriesTest {
    private static FleetLoader.Result load(Map<String, String> files) {
        TreeMap<String, byte[]> bytes = new TreeMap<>();
        files.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
        return FleetLoader.load(Fixtures.snapshot(bytes));
    }

    @Test
    void aBackupResolvesTheRepositoryDeclaredInDefaults() {
        FleetLoader.Result r = load(Map.of(
                "clusters/defaults.yaml", "repositories:\n  main: {type: posix, path: /var/lib/pgbackrest}\n"
                        + "  offsite: {type: s3, bucket: pg, endpoint: s3.example.com, region: eu-1, "
                        + "credentialsFile: /etc/pgrds/s3.conf, uriStyle: path}\n",
                "clusters/orderdata/integration.yaml", "nodes: [{host: h1}]\nbackup: {repository: offsite, "
                        + "retention: {full: 7}}\n"));
        assertEquals(List.of(), r.problems());
        DesiredCluster c = r.fleet().clusters().get(0);
        assertEquals(new Repository.S3("offsite", "pg", "s3.example.com", "eu-1", "/pgbackrest",
                "/etc/pgrds/s3.conf", Optional.empty(), true, true), c.backup().orElseThrow().repository());
        assertEquals(Map.of("full", 7), c.backup().orElseThrow().retention());
    }

    @Test
    void aBackupNamingNoRepositoryIsReportedAtItsLine() {
        FleetLoader.Result r = load(Map.of(
                "clusters/defaults.yaml", "repositories: {main: {type: posix, path: /b}}\n",
                "clusters/orderdata/integration.yaml", "nodes: [{host: h1}]\nbackup:\n  repository: mian\n"));
        assertEquals("clusters/orderdata/integration.yaml:3:3: BACKUP_REPOSITORY_UNKNOWN at /backup/repository: "
                + "the backup repository \"mian\" is not declared under `repositories:` (declared: main); declare "
                + "it, typically in clusters/defaults.yaml, or name a declared one.",
                String.join("\n", r.problems().stream().map(Problem::toString).toList()));
        assertEquals(List.of(), r.fleet().clusters());
    }

    @Test
    void aRepositoryWithoutWhatItsTypeNeedsIsReportedOnceInDefaults() {
        FleetLoader.Result r = load(Map.of(
                "clusters/defaults.yaml", "repositories:\n  s3: {type: s3, bucket: pg}\n",
                "clusters/orderdata/integration.yaml", "nodes: [{host: h1}]\n",
                "clusters/orderdata/production.yaml", "nodes: [{host: h2}]\n"));
        assertEquals("clusters/defaults.yaml:2:3: MISSING_KEY at /repositories/s3: a s3 repository needs endpoint, "
                + "region, credentialsFile; add them.",
                String.join("\n", r.problems().stream().map(Problem::toString).toList()));
    }

    @Test
    void aRestoreFromAClusterWithoutBackupsIsRejected() {
        FleetLoader.Result r = load(Map.of(
                "clusters/orderdata/production.yaml", "nodes: [{host: h2}]\n",
                "clusters/orderdata/integration.yaml", "nodes: [{host: h1}]\n"
                        + "bootstrap: {restore: {from: orderdata/production}}\n"));
        assertEquals(List.of(ProblemCode.RESTORE_SOURCE_UNKNOWN), r.problems().stream().map(Problem::code).toList());
    }

    @Test
    void anUnknownRepositoryKeyIsASchemaProblem() {
        FleetLoader.Result r = load(Map.of(
                "clusters/defaults.yaml", "repositories: {main: {type: posix, path: /b, secretKey: x}}\n",
                "clusters/orderdata/integration.yaml", "nodes: [{host: h1}]\n"));
        assertEquals(List.of(ProblemCode.UNKNOWN_KEY), r.problems().stream().map(Problem::code).toList());
    }
}
