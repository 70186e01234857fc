package io.pgrds.cli;

import io.pgrds.apply.ApplyListener;
import io.pgrds.desired.ClusterId;
import io.pgrds.plan.Action;
import io.pgrds.util.Palette;
import io.pgrds.util.Units;
import java.time.Duration;

/** Renders apply events: start, finish with duration, progress, commands in dry-run, notices. */
final class ApplyPrinter implements ApplyListener {
    private final Terminal t;
    private final boolean dryRun;

    ApplyPrinter(Terminal t, boolean dryRun) {
        this.t = t;
        this.dryRun = dryRun;
    }

    @Override
    public synchronized void actionStarted(ClusterId cluster, Action action) {
        t.out().println(cluster + ": " + action.kind().symbol().text() + " " + action.describe() + " …");
        t.out().flush();
    }

    @Override
    public synchronized void actionFinished(ClusterId cluster, Action action, Duration took) {
        t.out().println(cluster + ": " + t.paint("✓", Palette.GOOD) + " " + action.describe() + " ("
                + Units.millis(took.toMillis()) + ")");
        t.out().flush();
    }

    @Override
    public synchronized void actionFailed(ClusterId cluster, Action action, Duration took, String why) {
        t.out().println(cluster + ": " + t.paint("✗", Palette.BAD) + " " + action.describe() + " ("
                + Units.millis(took.toMillis()) + "): " + why);
        t.out().flush();
    }

    @Override
    public synchronized void progress(ClusterId cluster, String node, String message) {
        t.out().println("    " + node + ": " + message);
        t.out().flush();
    }

    @Override
    public synchronized void command(ClusterId cluster, String node, String command) {
        if (dryRun) {
            t.out().println("    [" + node + "] " + command.replace("\n", "\n      "));
        }
    }

    @Override
    public synchronized void notice(ClusterId cluster, String message) {
        t.out().println();
        t.out().println(t.paint("  " + message.replace("\n", "\n  "), Palette.STRONG));
        t.out().println();
    }
}
