package io.pgrds.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgrds.desired.ClusterId;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClassifierTest {
    private static final ClusterId CLUSTER = new ClusterId("orderdata", "integration");
    private static final String CONTROL = "pg_control version number:            1300\n"
            + "Database system identifier:           7301234567890123456\n"
            + "Database cluster state:               in production\n"
            + "Latest checkpoint's TimeLineID:       3\n";

    private static ShellFacts facts(boolean binaries, boolean exists, boolean empty, String pgVersion,
                                    boolean standby, boolean running, String marker, String conf) {
        return facts(binaries, exists, empty, pgVersion, standby, running, marker, conf, false);
    }

    private static ShellFacts facts(boolean binaries, boolean exists, boolean empty, String pgVersion,
                                    boolean standby, boolean running, String marker, String conf, boolean creating) {
        return new ShellFacts(binaries, exists, true, empty,
                Optional.ofNullable(pgVersion), standby, false, running,
                Optional.ofNullable(pgVersion == null ? null : CONTROL), Optional.empty(), Optional.ofNullable(conf), Optional.empty(), creating,
                Optional.of("abc"), Optional.empty(), Optional.ofNullable(marker), Optional.of("secret"),
                Optional.of(1024L), Optional.of(2048L), false, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), java.util.Optional.empty(), false,
                Optional.empty(), Optional.empty());
    }

    private static ObservedNode classify(ShellFacts f) {
        return Classifier.classify("pg1", "h1", DATA, CLUSTER, 15, f);
    }

    private static final String DATA = "/var/lib/pgrds/test-a/data";

    /** The same facts, with what the probe says of systemd. */
    private static ShellFacts systemd(ShellFacts f, String show, String error) {
        return new ShellFacts(f.binaries(), f.dataExists(), f.dataReadable(), f.dataEmpty(),
                f.pgVersion(), f.standbySignal(), f.recoverySignal(), f.running(), f.controldata(), f.autoConf(),
                f.pgrdsConf(), f.standbyConf(), f.creating(), f.hbaSha256(), f.confSha256(), f.marker(),
                f.managementPassword(), f.memoryKb(), f.freeDiskKb(), f.rebootRequired(), f.backupConfigured(),
                f.walReady(), f.walKb(), f.walFsKb(), f.walFreeKb(), f.walMount(), f.sourceCatalog(),
                f.sourceCatalogError(), f.dataHidden(), f.answering(), Optional.ofNullable(show),
                Optional.ofNullable(error));
    }

    @Test
    void aNodeWithoutSystemdIsStartedWithPgCtl() {
        ObservedNode n = classify(facts(true, true, false, "15", false, true, null, null));
        assertEquals(Optional.empty(), n.systemd());
        assertEquals(false, n.underSystemd());
    }

    @Test
    void whereSystemdRunsTheNodeCarriesItsUnitAndHowItStands() {
        ObservedNode n = classify(systemd(facts(true, true, false, "15", false, true, null, null),
                "LoadState=loaded\nUnitFileState=disabled\nActiveState=inactive\n", null));
        assertEquals(NodeState.PRIMARY, n.state());
        assertEquals(Optional.of(new Systemd("pgrds@var-lib-pgrds-test\\x2da-data.service", "loaded", false,
                "inactive")), n.systemd());
    }

    @Test
    void systemdThatCannotBeReadMakesTheNodeUnknown() {
        ObservedNode n = classify(systemd(facts(true, true, false, "15", false, true, null, null), null,
                "systemctl show failed (exit 1): Failed to connect to bus"));
        assertEquals(NodeState.UNKNOWN, n.state());
        assertEquals(Optional.of("systemd runs on the node, but pgrds could not read how its unit "
                + "pgrds@var-lib-pgrds-test\\x2da-data.service stands: systemctl show failed (exit 1): Failed to "
                + "connect to bus"), n.error());
        assertEquals(NodeState.UNKNOWN, classify(systemd(facts(true, true, false, "15", false, true, null, null),
                "LoadState=loaded\n", null)).state(), "a garbled answer is no answer");
    }

    private static ShellFacts withWal(String control, Integer ready) {
        return new ShellFacts(true, true, true, false, Optional.of("15"),
                false, false, true, Optional.of(control), Optional.empty(), Optional.empty(), Optional.empty(), false,
                Optional.of("abc"), Optional.empty(), Optional.empty(), Optional.of("secret"), Optional.of(1024L),
                Optional.of(2048L), false, Optional.empty(), Optional.ofNullable(ready), Optional.of(49_152L),
                Optional.of(52_428_800L), Optional.of(1_048_576L), Optional.of("/srv/wal disk"), Optional.empty(),
                Optional.empty(), java.util.Optional.empty(), false, Optional.empty(), Optional.empty());
    }

    @Test
    void theWalWaitingForTheArchiverIsCountedInSegmentsOfTheControlDatasSize() {
        ObservedNode n = classify(withWal(CONTROL + "Bytes per WAL segment:                67108864\n", 3));
        assertEquals(Optional.of(new WalFacts(3, 64L << 20, Optional.of(48L << 20), Optional.of(50L << 30),
                Optional.of(1L << 30), Optional.of("/srv/wal disk"))), n.wal());
        assertEquals(192L << 20, n.wal().orElseThrow().waitingBytes());
        assertEquals(16L << 20, classify(withWal(CONTROL, 3)).wal().orElseThrow().segmentBytes(),
                "PostgreSQL's default when the control data does not say");
        assertEquals(Optional.empty(), classify(withWal(CONTROL, null)).wal(), "no pg_wal to count in");
    }

    @Test
    void missingBinariesMeanNoPostgres() {
        ObservedNode n = classify(facts(false, false, false, null, false, false, null, null));
        assertEquals(NodeState.NO_POSTGRES, n.state());
        assertEquals(Optional.of("PostgreSQL 15 binaries are missing"), n.error());
    }

    @Test
    void aMissingOrEmptyDataDirectoryIsEmpty() {
        assertEquals(NodeState.EMPTY, classify(facts(true, false, false, null, false, false, null, null)).state());
        assertEquals(NodeState.EMPTY, classify(facts(true, true, true, null, false, false, null, null)).state());
    }

    @Test
    void aDataDirectoryWithoutStandbySignalIsAPrimaryWithItsControlData() {
        ObservedNode n = classify(facts(true, true, false, "15", false, true, null, null));
        assertEquals(NodeState.PRIMARY, n.state());
        assertEquals(Optional.of("7301234567890123456"), n.systemIdentifier());
        assertEquals(Optional.of(3), n.timeline());
        assertEquals(Optional.of(1024L * 1024), n.memoryBytes());
        assertEquals(Optional.of(2048L * 1024), n.freeDiskBytes());
    }

    @Test
    void standbySignalMakesAStandbyAndItsUpstreamComesFromPrimaryConninfo() {
        String conf = "# managed by pgrds\nport = 5432\nprimary_conninfo = 'host=10.0.0.1 port=5432 user=replicator "
                + "application_name=pg2'\n";
        ObservedNode n = classify(facts(true, true, false, "15", true, true, null, conf));
        assertEquals(NodeState.STANDBY, n.state());
        assertEquals(Optional.of("10.0.0.1"), n.upstream());
        assertEquals("5432", n.configParameters().get("port"));
    }

    @Test
    void aMarkerOfAnotherClusterMakesTheNodeForeign() {
        String marker = "{\"cluster\":\"payments/production\",\"systemIdentifier\":null,\"deactivated\":false,"
                + "\"members\":[],\"primary\":null,\"appliedCommit\":null}";
        ObservedNode n = classify(facts(true, true, false, "15", false, true, marker, null));
        assertEquals(NodeState.FOREIGN, n.state());
        assertEquals(Optional.of("the data directory belongs to cluster payments/production"), n.error());
    }

    @Test
    void aDifferentSystemIdentifierThanRecordedMakesTheNodeForeign() {
        String marker = "{\"cluster\":\"orderdata/integration\",\"systemIdentifier\":\"111\",\"deactivated\":false,"
                + "\"members\":[],\"primary\":null,\"appliedCommit\":null}";
        assertEquals(NodeState.FOREIGN, classify(facts(true, true, false, "15", false, true, marker, null)).state());
    }

    @Test
    void aStoppedNodeMarkedDeactivatedIsDeactivated() {
        String marker = "{\"cluster\":\"orderdata/integration\",\"systemIdentifier\":\"7301234567890123456\","
                + "\"deactivated\":true,\"members\":[],\"primary\":null,\"appliedCommit\":null}";
        assertEquals(NodeState.DEACTIVATED,
                classify(facts(true, true, false, "15", true, false, marker, null)).state());
    }

    @Test
    void aHalfCreatedDataDirectoryLeftByAnInterruptedApplyIsEmpty() {
        ObservedNode n = classify(facts(true, true, false, null, false, false, null, null, true));
        assertEquals(NodeState.EMPTY, n.state());
    }

    @Test
    void aNonEmptyDirectoryWithoutPgVersionIsUnknown() {
        ObservedNode n = classify(facts(true, true, false, null, false, false, null, null));
        assertEquals(NodeState.UNKNOWN, n.state());
    }

    @Test
    void anotherMajorVersionIsUnknownNotSilentlyUsed() {
        ObservedNode n = classify(facts(true, true, false, "14", false, false, null, null));
        assertEquals(NodeState.UNKNOWN, n.state());
        assertEquals(Optional.of("the data directory is PostgreSQL 14, the cluster wants 15 (major upgrades are "
                + "not done by pgrds)"), n.error());
    }

    @Test
    void parametersOfPgrdsFileAreReadWithoutQuotesAndComments() {
        assertEquals(Map.of("a", "1", "b", "it's", "c", "x"), Classifier.parameters(Optional.of(
                "# header\na = 1\nb = 'it''s'\n  c = x # note\n")));
    }

    @Test
    void theProbeFactsNeverShowThePassword() {
        String shown = facts(true, true, false, "15", false, true, null, null).toString();
        assertEquals(false, shown.contains("secret"), shown);
    }

    /** The same facts, with what the probe says about a hidden data directory and a server answering. */
    private static ShellFacts seen(ShellFacts f, String hidden, boolean answering) {
        return new ShellFacts(f.binaries(), f.dataExists(), f.dataReadable(), f.dataEmpty(),
                f.pgVersion(), f.standbySignal(), f.recoverySignal(), f.running(), f.controldata(), f.autoConf(),
                f.pgrdsConf(), f.standbyConf(), f.creating(), f.hbaSha256(), f.confSha256(), f.marker(),
                f.managementPassword(), f.memoryKb(), f.freeDiskKb(), f.rebootRequired(), f.backupConfigured(),
                f.walReady(), f.walKb(), f.walFsKb(), f.walFreeKb(), f.walMount(), f.sourceCatalog(),
                f.sourceCatalogError(), Optional.ofNullable(hidden), answering, f.systemd(), f.systemdError());
    }

    @Test
    void aDataDirectoryPostgresCannotSeeIsUnknownNeverEmpty() {
        // `[ -d ]` is false behind a directory postgres cannot search: the data may well be there
        ObservedNode n = classify(seen(facts(true, false, false, null, false, false, null, null),
                "/srv is not searchable by the postgres user, so pgrds cannot tell whether /srv/pg/data exists", false));
        assertEquals(NodeState.UNKNOWN, n.state());
        assertEquals(Optional.of("the data directory cannot be seen: /srv is not searchable by the postgres user, so "
                + "pgrds cannot tell whether /srv/pg/data exists"), n.error());
    }

    @Test
    void aServerAnsweringWhileNoDataDirectoryIsSeenMakesTheNodeUnknown() {
        // a file system not mounted any more: the directory is missing, the server still runs from the old mount
        ObservedNode missing = classify(seen(facts(true, false, false, null, false, false, null, null), null, true));
        assertEquals(NodeState.UNKNOWN, missing.state());
        assertEquals(Optional.of("a PostgreSQL server answers on this node's port while its data directory is "
                + "missing: that server runs from somewhere else (a file system not mounted, a moved data directory, "
                + "another server on the port)"), missing.error());
        assertEquals(NodeState.UNKNOWN, classify(seen(facts(true, true, true, null, false, false, null, null), null,
                true)).state(), "an empty mount point");
        assertEquals(NodeState.UNKNOWN, classify(seen(facts(true, true, false, "15", false, false, null, null, true),
                null, true)).state(), "a partly created directory while some server answers");
        assertEquals(NodeState.EMPTY, classify(seen(facts(true, false, false, null, false, false, null, null), null,
                false)).state(), "nothing answers: really empty");
    }

    @Test
    void theControlDataGivesTheClusterStateAndTheLastCheckpoint() {
        ShellFacts f = facts(true, true, false, "15", false, false, null, null);
        ShellFacts shutDown = new ShellFacts(f.binaries(), f.dataExists(), f.dataReadable(),
                f.dataEmpty(), f.pgVersion(), f.standbySignal(), f.recoverySignal(), f.running(), Optional.of(CONTROL
                .replace("in production", "shut down") + "Latest checkpoint location:           0/3000028\n"),
                f.autoConf(), f.pgrdsConf(), f.standbyConf(), f.creating(), f.hbaSha256(), f.confSha256(), f.marker(),
                f.managementPassword(), f.memoryKb(), f.freeDiskKb(), f.rebootRequired(), f.backupConfigured(),
                f.walReady(), f.walKb(), f.walFsKb(), f.walFreeKb(), f.walMount(), f.sourceCatalog(),
                f.sourceCatalogError(), Optional.empty(), false, f.systemd(), f.systemdError());
        ObservedNode n = classify(shutDown);
        assertEquals(Optional.of("shut down"), n.clusterState());
        assertEquals(Optional.of(Lsn.parse("0/3000028")), n.checkpoint());
        assertEquals(true, n.shutDownCleanly());
        assertEquals(false, classify(f).shutDownCleanly(), "in production: it crashed or runs");
    }

    @Test
    void aQuotedParameterReadsBackAsExactlyWhatPgrdsWrote() {
        for (String value : java.util.List.of("it's a \\ test $(touch /tmp/x)", "plain", "a\\nb", "''", "\\")) {
            String line = "application_name = " + io.pgrds.plan.ConfigFiles.confValue(value) + "\n";
            assertEquals(value, Classifier.parameters(Optional.of(line)).get("application_name"), line);
        }
    }
}
