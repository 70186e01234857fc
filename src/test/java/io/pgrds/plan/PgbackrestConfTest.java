package io.pgrds.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.Repository;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PgbackrestConfTest {
    static final DesiredCluster CLUSTER = ScenarioDesired.parse("""
            repositories: {main: {type: posix, path: /var/lib/pgbackrest}}
            backup: {repository: main, retention: {full: 7, diff: 2}}
            nodes:
              - {name: pg1, host: 10.0.0.1, postgres: {dataDirectory: /srv/pg1/data, port: 5433}}
              - {name: pg2, host: 10.0.0.2}
            """);

    @Test
    void eachNodeGetsItsOwnConfigurationForTheClusterStanza() {
        assertEquals("""
                # Written by pgrds for cluster test/scenario, node pg1.
                # Do not edit: change backup in clusters/test/scenario.yaml (and repositories in clusters/defaults.yaml) instead.
                [global]
                repo1-type=posix
                repo1-path=/var/lib/pgbackrest
                log-path=/srv/pg1/data.pgrds/pgbackrest/log
                lock-path=/srv/pg1/data.pgrds/pgbackrest/lock
                spool-path=/srv/pg1/data.pgrds/pgbackrest/spool
                repo1-retention-diff=2
                repo1-retention-full=7
                start-fast=y

                [test-scenario]
                pg1-path=/srv/pg1/data
                pg1-port=5433
                pg1-socket-path=/srv/pg1/data.pgrds/run
                """, ConfigFiles.pgbackrestConf(CLUSTER, CLUSTER.node("pg1").orElseThrow()));
    }

    @Test
    void archivingGoesToTheClusterStanzaThroughTheNodeOwnConfiguration() {
        String conf = ConfigFiles.postgresqlConf(CLUSTER, CLUSTER.node("pg2").orElseThrow());
        assertEquals(true, conf.contains("archive_command = 'pgbackrest "
                + "--config=/var/lib/pgrds/test-scenario/data.pgrds/pgbackrest.conf --stanza=test-scenario "
                + "archive-push %p'\narchive_mode = 'on'\n"), conf);
    }

    @Test
    void aRestoreReadsTheSourceStanzaIntoThisNodeDataDirectory() {
        assertEquals("""
                # Written by pgrds: restore of orderdata/production into node pg2.
                # Read by recovery (restore_command) only; this node archives through pgbackrest.conf.
                [global]
                repo1-type=s3
                repo1-path=/pgbackrest
                repo1-s3-bucket=pg
                repo1-s3-endpoint=s3.internal
                repo1-storage-port=9000
                repo1-s3-region=local
                repo1-s3-uri-style=path
                repo1-storage-ca-file=/etc/ssl/ca.pem
                # repo1-s3-key, repo1-s3-key-secret: /etc/pgrds/s3.conf
                log-path=/var/lib/pgrds/test-scenario/data.pgrds/pgbackrest/log
                lock-path=/var/lib/pgrds/test-scenario/data.pgrds/pgbackrest/lock
                spool-path=/var/lib/pgrds/test-scenario/data.pgrds/pgbackrest/spool

                [orderdata-production]
                pg1-path=/var/lib/pgrds/test-scenario/data
                pg1-port=5432
                pg1-socket-path=/var/lib/pgrds/test-scenario/data.pgrds/run
                """, ConfigFiles.pgbackrestRestoreConf(new ClusterId("orderdata", "production"),
                new Repository.S3("s3", "pg", "s3.internal:9000", "local", "/pgbackrest", "/etc/pgrds/s3.conf",
                        Optional.of("/etc/ssl/ca.pem"), true, true), CLUSTER.node("pg2").orElseThrow()));
    }

    static Repository.S3 s3(String endpoint) {
        return new Repository.S3("s3", "pg", endpoint, "local", "/pgbackrest", "/etc/pgrds/s3.conf", Optional.empty(),
                false, true);
    }

    @Test
    void anEndpointPortBecomesPgbackrestsStoragePort() {
        assertEquals("s3.example.com", s3("s3.example.com").host());
        assertEquals(Optional.empty(), s3("s3.example.com").port());
        assertEquals(Optional.of(9443), s3("localhost:9443").port());
        assertEquals("localhost", s3("localhost:9443").host());
        assertEquals("::1", s3("[::1]:9000").host());
        assertEquals(Optional.of(9000), s3("[::1]:9000").port());
        assertEquals("::1", s3("[::1]").host());
        assertEquals(Optional.empty(), s3("[::1]").port());
    }

    @Test
    void anS3RepositoryIsReadWithTheCredentialsDirectoryEverywhere() {
        DesiredCluster c = ScenarioDesired.parse("""
                repositories: {objects: {type: s3, bucket: pg, endpoint: "s3.internal:9443", region: eu,
                               credentialsFile: /etc/pgrds/s3.conf, uriStyle: path}}
                backup: {repository: objects}
                nodes:
                  - {name: pg1, host: 10.0.0.1, postgres: {dataDirectory: /srv/pg1/data}}
                """);
        var node = c.node("pg1").orElseThrow();
        assertEquals(java.util.List.of("--config=/srv/pg1/data.pgrds/pgbackrest.conf",
                "--config-include-path=/srv/pg1/data.pgrds/pgbackrest.d"),
                ConfigFiles.pgbackrestOptions(node, c.backup().orElseThrow().repository()));
        assertEquals(java.util.List.of("--config=/srv/pg1/data.pgrds/pgbackrest-restore.conf",
                "--config-include-path=/srv/pg1/data.pgrds/pgbackrest-restore.d"),
                ConfigFiles.pgbackrestRestoreOptions(node, c.backup().orElseThrow().repository()));
        String conf = ConfigFiles.postgresqlConf(c, node);
        assertEquals(true, conf.contains("archive_command = 'pgbackrest --config=/srv/pg1/data.pgrds/pgbackrest.conf "
                + "--config-include-path=/srv/pg1/data.pgrds/pgbackrest.d --stanza=test-scenario archive-push %p'"),
                conf);
        assertEquals(java.util.List.of("--config=/srv/pg1/data.pgrds/pgbackrest.conf"), ConfigFiles.pgbackrestOptions(
                node, new Repository.Posix("main", "/var/lib/pgbackrest")));
    }

    @Test
    void backupsFromAStandbyNameTheTrustedNodesSoAChangedMembershipConfiguresThemAgain() {
        DesiredCluster c = ScenarioDesired.parse("""
                repositories: {main: {type: posix, path: /var/lib/pgbackrest}}
                backup: {repository: main, fromStandby: true}
                nodes:
                  - {name: pg1, host: 10.0.0.1, postgres: {dataDirectory: /srv/pg1/data}}
                  - {name: pg2, host: 10.0.0.2, postgres: {dataDirectory: /srv/pg2/data}}
                """);
        String conf = ConfigFiles.pgbackrestConf(c, c.node("pg2").orElseThrow());
        assertEquals(true, conf.contains("start-fast=y\n# backups from a standby; postgres on pg1 (10.0.0.1), "
                + "pg2 (10.0.0.2) trust each other's /srv/pg2/data.pgrds/ssh keys\n"), conf);
        assertEquals(false, ConfigFiles.pgbackrestConf(CLUSTER, CLUSTER.node("pg1").orElseThrow())
                .contains("standby"));
    }
}
