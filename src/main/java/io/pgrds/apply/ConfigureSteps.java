package io.pgrds.apply;

import io.pgrds.desired.NodeSpec;
import io.pgrds.plan.Action;
import io.pgrds.plan.ConfigFiles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Configuration that keeps the data: parameters, pg_hba.conf, backups, the endpoint. */
final class ConfigureSteps {
    private final ApplyContext ctx;

    ConfigureSteps(ApplyContext ctx) {
        this.ctx = ctx;
    }

    void changeParameters(Action.ChangeParameters a) {
        for (String node : a.nodes()) {
            NodeOps n = ctx.ops(node);
            n.write(n.node().dataDirectory() + "/pgrds.conf", ConfigFiles.postgresqlConf(ctx.desired, n.node()), 0600);
            if (n.running()) {
                if (a.restart()) {
                    n.restart();
                } else {
                    n.reload();
                }
            }
        }
    }

    void changeHba(Action.ChangeHba a) {
        for (String node : a.nodes()) {
            NodeOps n = ctx.ops(node);
            n.write(n.node().dataDirectory() + "/pg_hba.conf", ConfigFiles.hba(ctx.desired), 0600);
            if (n.running()) {
                n.reload();
            }
        }
    }

    /**
     * Writes the pgBackRest configuration on the nodes, creates the stanza (idempotent) and checks that the
     * primary's WAL reaches the repository; then each node remembers what it was configured with.
     */
    void configureBackup(Action.ConfigureBackup a) {
        io.pgrds.desired.BackupSpec backup = ctx.desired.backup().orElseThrow(() -> new ApplyException(
                ctx.desired.id() + " has no backup: in its file any more; plan again"));
        for (String node : a.nodes()) {
            NodeOps n = ctx.ops(node);
            n.write(ConfigFiles.pgbackrestConfPath(n.node()), ConfigFiles.pgbackrestConf(ctx.desired, n.node()), 0600);
            n.prepareDirectories();
            Backups.linkCredentials(n, backup.repository(), false);
        }
        if (!a.trusted().isEmpty()) {
            BackupKeys.trust(a.trusted().stream().map(ctx::ops).toList(), a.stanza());
        } else {
            // fromStandby turned off changes every node's configuration, so every node is in the action;
            // nodes outside it are not contacted (one may be unreachable and need nothing)
            BackupKeys.untrust(a.nodes().stream().map(ctx::ops).toList(), a.stanza());
        }
        NodeOps p = ctx.ops(a.primary());
        if (backup.repository() instanceof io.pgrds.desired.Repository.Posix posix) {
            p.change("repository directory", List.of("mkdir", "-p", posix.path()));
        }
        List<String> conf = ConfigFiles.pgbackrestOptions(p.node(), backup.repository());
        String stanza = "--stanza=" + a.stanza();
        p.change("pgbackrest stanza-create", Backups.pgbackrest(conf, stanza, "stanza-create"));
        p.change("pgbackrest check", Backups.pgbackrest(conf, stanza, "check"), null, Duration.ofMinutes(5),
                null);
        for (String node : a.nodes()) {
            NodeOps n = ctx.ops(node);
            n.write(n.paths().stateDirectory() + "/backup.configured", ConfigFiles.sha256(
                    ConfigFiles.pgbackrestConf(ctx.desired, n.node())) + "\n", 0600);
        }
        ctx.listener.progress(ctx.desired.id(), a.primary(), "WAL archiving into stanza " + a.stanza() + " checked");
    }

    void registerEndpoint(String service, String primaryName) {
        NodeSpec p = ctx.specs.get(primaryName);
        List<String> hosts = new ArrayList<>();
        for (NodeSpec s : ctx.desired.nodes()) {
            hosts.add(s.host() + ":" + s.port());
        }
        String url = "postgresql://" + String.join(",", hosts) + "/postgres?target_session_attrs=read-write";
        Optional<String> hook = ctx.desired.service().flatMap(io.pgrds.desired.ServiceSpec::hook);
        if (hook.isPresent()) {
            ctx.listener.command(ctx.desired.id(), "local", hook.get() + "  (PGRDS_SERVICE=" + service
                    + " PGRDS_PRIMARY_HOST=" + p.host() + " PGRDS_PRIMARY_PORT=" + p.port() + ")");
            if (!ctx.options.dryRun()) {
                Hook.run(hook.get(), ctx.desired.id(), service, p);
            }
        }
        ctx.listener.notice(ctx.desired.id(), service + " → " + primaryName + " (" + p.host() + ":" + p.port()
                + "). Clients that follow the primary by themselves connect with:\n    " + url);
    }
}
