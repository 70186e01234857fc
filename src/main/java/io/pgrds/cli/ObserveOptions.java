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

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "Deadline for observing one node: 30s, 2m (default: ${DEFAULT-VALUE}); a node that does "
                    + "not answer in time is UNKNOWN.")
    private Duration timeout;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "10s",
            converter = DurationConverter.class, description = "SSH connect timeout (default: ${DEFAULT-VALUE}).")
    private Duration connectTimeout;

    @Option(names = "--accept-new-host-keys",
            description = "Record the host key of a node seen for the first time in known_hosts (like OpenSSH's "
                    + "accept-new). A changed host key is always refused.")
    private boolean acceptNewHostKeys;

    ObserveSettings settings() {
        return new ObserveSettings(parallel, atLeastOneSecond(timeout));
    }

    private static Duration atLeastOneSecond(Duration d) {
        return d.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : d;
    }

    ShellOptions shellOptions() {
        return ShellOptions.defaults().withAcceptNewHostKeys(acceptNewHostKeys)
                .withConnectTimeout(atLeastOneSecond(connectTimeout))
                .withCommandTimeout(atLeastOneSecond(timeout));
    }
}
