package io.pgrds.cli;

import io.pgrds.app.ClusterAdmin;
import io.pgrds.apply.Audit;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import io.pgrds.util.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "history", mixinStandardHelpOptions = true,
        description = "Show every apply of a cluster, newest first, whoever ran it (from the audit trail kept on the "
                + "cluster's nodes, merged with the local copy).")
final class HistoryCommand extends ClusterCommand {
    @Option(names = "--limit", defaultValue = "20", description = "Show at most N applies (default ${DEFAULT-VALUE}).")
    private int limit;

    @Override
    public Integer call() {
        if (limit < 1) {
            throw new PgrdsException(ErrorCode.USAGE, "--limit " + limit + " shows nothing: give the number of "
                    + "applies to show, at least 1 (default 20).");
        }
        Terminal t = terminal();
        var c = desired();
        ClusterAdmin.History h = connected(s -> new ClusterAdmin(s).history(c));
        h.unreachable().forEach(n -> t.warn(n + " is unreachable; its copy of the history is not included"));
        t.out().println("pgrds history — " + c.id());
        if (h.applies().isEmpty()) {
            t.out().println("\nNo apply recorded yet.");
        }
        for (Audit a : h.applies().subList(0, Math.min(limit, h.applies().size()))) {
            t.out().println();
            t.out().println(a.time() + "  " + a.user() + "@" + a.host() + "  commit "
                    + a.commit().map(x -> x.substring(0, Math.min(7, x.length()))).orElse("-") + "  "
                    + (a.dryRun() ? "dry run" : a.outcome()));
            for (Audit.Entry e : a.actions()) {
                t.out().println("  " + e.result() + "  " + e.action() + " (" + Units.millis(e.millis()) + ")"
                        + e.error().map(x -> ": " + x).orElse(""));
            }
        }
        return 0;
    }
}
