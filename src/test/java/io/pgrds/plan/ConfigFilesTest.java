package io.pgrds.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgrds.desired.DesiredCluster;
import org.junit.jupiter.api.Test;

class ConfigFilesTest {
    static final DesiredCluster CLUSTER = ScenarioDesired.parse("""
            postgres:
              parameters: {max_connections: 200, search_path: "'$user', public"}
              hba:
                - {type: host, database: all, user: all, address: 10.0.0.0/8, method: scram-sha-256}
                - {type: local, database: app, user: app, method: peer}
            nodes:
              - {name: pg1, host: 10.0.0.1}
              - {name: pg2, host: db2.example.com}
            """);

    @Test
    void hbaAdmitsReplicationOnlyFromTheClusterNodesThenTheFileRules() {
        assertEquals("""
                # Written by pgrds for cluster test/scenario.
                # Do not edit: change postgres.hba in clusters/test/scenario.yaml instead.
                # administration on the node itself
                local   all          postgres                             peer
                local   all          all                                  scram-sha-256
                host    all          pgrds       127.0.0.1/32             scram-sha-256
                host    all          pgrds       ::1/128                  scram-sha-256
                # pgrds (through its SSH tunnel) and replication, from the cluster's nodes only
                host    all          pgrds       10.0.0.1/32              scram-sha-256
                host    all          pgrds       db2.example.com          scram-sha-256
                host    replication  replicator  10.0.0.1/32              scram-sha-256
                host    replication  replicator  db2.example.com          scram-sha-256
                # rules from the cluster file
                host    all          all         10.0.0.0/8               scram-sha-256
                local   app          app                                  peer
                """, ConfigFiles.hba(CLUSTER));
    }

    @Test
    void postgresqlConfHoldsTheUserParametersAndPgrdsOwnQuotedAndSorted() {
        assertEquals("""
                # Written by pgrds for cluster test/scenario, node pg2.
                # Do not edit: change postgres.parameters in clusters/test/scenario.yaml instead.
                hot_standby = 'on'
                listen_addresses = 'db2.example.com'
                max_connections = '200'
                port = '5432'
                search_path = '''$user'', public'
                unix_socket_directories = '/var/lib/pgrds/test-scenario/data.pgrds/run'
                wal_level = 'replica'
                wal_log_hints = 'on'
                """, ConfigFiles.postgresqlConf(CLUSTER, CLUSTER.node("pg2").orElseThrow()));
    }

    @Test
    void theHashIsTheSha256OfTheUtf8Text() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ConfigFiles.sha256(""));
    }
}
