package io.pgrds.cli;

import io.pgrds.app.ApplySettings;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import java.time.Duration;
import java.util.Optional;
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

    @Option(names = "--json", description = "One JSON event per line while it runs (docs/apply-json.md); needs "
            + "--auto-approve or --dry-run.")
    private boolean json;

    /** The JSON event printer, when --json was given; a usage error when there would be a question to ask. */
    Optional<ApplyJsonPrinter> jsonPrinter(Terminal t) {
        if (json && !autoApprove && !dryRun) {
            throw new PgrdsException(ErrorCode.USAGE, "apply --json cannot ask 'yes' between JSON lines: review the "
                    + "plan (pgrds plan --json) and pass --auto-approve, or --dry-run.");
        }
        return json ? Optional.of(new ApplyJsonPrinter(t, dryRun)) : Optional.empty();
    }

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
