package io.pgrds.cli;

import io.pgrds.apply.Audit;
import io.pgrds.apply.LocalAudit;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.observe.NodePaths;
import io.pgrds.transport.NodeShell;
import io.pgrds.transport.Sessions;
import io.pgrds.transport.TransportException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "history", mixinStandardHelpOptions = true,
        description = "Show every apply of a cluster, newest first, whoever ran it (from the audit trail kept on the "
                + "cluster's nodes, merged with the local copy).")
final class HistoryCommand implements Callable<Integer> {
    @ParentCommand
    private PgrdsCommand top;

    @Mixin
    private ObserveOptions observe;

    @Parameters(paramLabel = "CLUSTER", description = "team/stage")
    private String cluster;

    @Option(names = "--limit", defaultValue = "20", description = "Show at most N applies (default ${DEFAULT-VALUE}).")
    private int limit;

    @Override
    public Integer call() throws IOException {
        Terminal t = top.terminal();
        DesiredCluster c = Selection.select(top.fleet(), List.of(cluster)).get(0);
        TreeSet<String> lines = new TreeSet<>();
        try (Sessions sessions = new Sessions(observe.shellOptions())) {
            for (NodeSpec n : c.nodes()) {
                try {
                    NodeShell.ExecResult r = sessions.shell(c.transport(), n).exec(NodeShell.Exec.asPostgres("sh", "-c",
                            "cat \"$1\" 2>/dev/null; exit 0", "sh", NodePaths.of(n).audit()));
                    r.stdout().lines().filter(l -> !l.isBlank()).forEach(lines::add);
                } catch (TransportException e) {
                    t.warn(n.name() + " is unreachable; its copy of the history is not included");
                }
            }
        }
        LocalAudit.lines().forEach(lines::add);
        List<Audit> audits = new ArrayList<>();
        for (String line : lines) {
            try {
                Audit a = Audit.fromJsonLine(line);
                if (a.cluster().equals(c.id().toString())) {
                    audits.add(a);
                }
            } catch (Exception e) {
                // a line another version wrote; skip it
            }
        }
        audits.sort(Comparator.comparing(Audit::time).reversed());
        t.out().println("pgrds history — " + c.id());
        if (audits.isEmpty()) {
            t.out().println("\nNo apply recorded yet.");
        }
        for (Audit a : audits.subList(0, Math.min(limit, audits.size()))) {
            t.out().println();
            t.out().println(a.time() + "  " + a.user() + "@" + a.host() + "  commit "
                    + a.commit().map(x -> x.substring(0, Math.min(7, x.length()))).orElse("-") + "  "
                    + (a.dryRun() ? "dry run" : a.outcome()));
            for (Audit.Entry e : a.actions()) {
                t.out().println("  " + e.result() + "  " + e.action() + " (" + io.pgrds.util.Units.millis(e.millis())
                        + ")" + e.error().map(x -> ": " + x).orElse(""));
            }
        }
        return 0;
    }
}
