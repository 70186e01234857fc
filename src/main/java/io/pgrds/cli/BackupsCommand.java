package io.pgrds.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgrds.apply.Backups;
import io.pgrds.observe.BackupCatalog;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.transport.Sessions;
import io.pgrds.util.Json;
import io.pgrds.util.Units;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "backups", mixinStandardHelpOptions = true,
        description = "List a cluster's backups (pgbackrest info) and the window it can be restored to.")
final class BackupsCommand implements Callable<Integer> {
    @ParentCommand
    private PgrdsCommand top;

    @Mixin
    private ObserveOptions observe;

    @Parameters(paramLabel = "CLUSTER", description = "team/stage")
    private String cluster;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        Terminal t = top.terminal();
        DesiredCluster c = Selection.select(top.fleet(), List.of(cluster)).get(0);
        BackupCatalog info;
        try (Sessions sessions = new Sessions(observe.shellOptions())) {
            info = new Backups(sessions, io.pgrds.apply.ApplyListener.NONE).info(c);
        }
        if (json) {
            t.out().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json(c, info)));
            return 0;
        }
        t.out().println("pgrds backups — " + c.id() + " (stanza " + info.stanza() + ", repository "
                + info.repository() + ": " + info.status() + ")");
        t.out().println();
        if (info.backups().isEmpty()) {
            t.out().println("No backup yet: pgrds backup " + c.id());
            return 0;
        }
        String format = "  %-32s %-5s %-20s %-20s %10s %10s  %s%n";
        t.out().printf(format, "LABEL", "TYPE", "START", "STOP", "SIZE", "STORED", "WAL");
        for (BackupCatalog.Backup b : info.backups()) {
            t.out().printf(format, b.label(), b.type(), b.start().toString(), b.stop().toString(),
                    Units.bytes(b.size()), Units.bytes(b.repositorySize()), b.walStart() + " … " + b.walStop());
        }
        t.out().println();
        t.out().println("  restorable: from " + info.windowStart().map(Object::toString).orElse("-")
                + " to the latest archived WAL " + info.walMax().orElse("-"));
        return 0;
    }

    private static ObjectNode json(DesiredCluster c, BackupCatalog info) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("cluster", c.id().toString());
        o.put("stanza", info.stanza());
        o.put("repository", info.repository());
        o.put("status", info.status());
        ArrayNode list = o.putArray("backups");
        for (BackupCatalog.Backup b : info.backups()) {
            ObjectNode bo = list.addObject();
            bo.put("label", b.label());
            bo.put("type", b.type());
            bo.put("start", b.start().toString());
            bo.put("stop", b.stop().toString());
            bo.put("size", b.size());
            bo.put("repository_size", b.repositorySize());
            bo.put("wal_start", b.walStart());
            bo.put("wal_stop", b.walStop());
        }
        ObjectNode w = o.putObject("restorable");
        w.put("from", info.windowStart().map(Object::toString).orElse(null));
        w.put("to_wal", info.walMax().orElse(null));
        return o;
    }
}
