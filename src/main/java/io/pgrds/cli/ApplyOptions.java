package io.pgrds.cli;

import io.pgrds.app.ApplySettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How {@code pgrds apply} runs: asked or not, for real or as a dry run, how long it waits for another apply. */
final class ApplyOptions {
    @Option(names = "--auto-approve", description = "Apply without asking (needed without a terminal).")
    private boolean autoApprove;

    @Option(names = "--dry-run", description = "Print every command and SQL statement apply would run; change "
            + "nothing.")
    private boolean dryRun;

    @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
            description = "How long to wait for another apply of the same cluster: 30s, 5m (default: "
                    + "${DEFAULT-VALUE}).")
    private Duration lockTimeout;

    boolean autoApprove() {
        return autoApprove;
    }

    boolean dryRun() {
        return dryRun;
    }

    /** A person at this machine applies, with these options. */
    ApplySettings settings() {
        return ApplySettings.person(dryRun, lockTimeout);
    }
}
