package io.pgrds.cli;

import io.pgrds.app.ObserveSettings;
import io.pgrds.transport.ShellOptions;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options of every command that observes nodes. */
final class ObserveOptions {
    @Option(names = "--parallel", paramLabel = "N", defaultValue = "16",
            description = "Observe at most N nodes at once (default: ${DEFAULT-VALUE}).")
    private int parallel;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Deadline for observing one node (default: ${DEFAULT-VALUE} s); a node that does not "
                    + "answer in time is UNKNOWN.")
    private int timeout;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "SSH connect timeout (default: ${DEFAULT-VALUE} s).")
    private int connectTimeout;

    @Option(names = "--accept-new-host-keys",
            description = "Record the host key of a node seen for the first time in known_hosts (like OpenSSH's "
                    + "accept-new). A changed host key is always refused.")
    private boolean acceptNewHostKeys;

    ObserveSettings settings() {
        return new ObserveSettings(parallel, Duration.ofSeconds(Math.max(1, timeout)));
    }

    ShellOptions shellOptions() {
        return ShellOptions.defaults().withAcceptNewHostKeys(acceptNewHostKeys)
                .withConnectTimeout(Duration.ofSeconds(Math.max(1, connectTimeout)))
                .withCommandTimeout(Duration.ofSeconds(Math.max(1, timeout)));
    }
}
