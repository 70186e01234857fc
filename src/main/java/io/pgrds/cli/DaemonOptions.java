package io.pgrds.cli;

import io.pgrds.daemon.Daemon;
import io.pgrds.daemon.JobStores;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/** The daemon's own options, and how they become its configuration. */
final class DaemonOptions {

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "Time between two runs of a cluster: 90s, 5m, 1h (default: ${DEFAULT-VALUE}).")
    private Duration interval;

    @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080",
            description = "Where to serve HTTP (default: ${DEFAULT-VALUE}; port 0: any free port; 'off': none).")
    private String http;

    @Option(names = "--webhook-secret-file", paramLabel = "FILE",
            description = "The shared secret of POST /hooks/git (GitHub X-Hub-Signature-256 or GitLab "
                    + "X-Gitlab-Token). Default: the systemd credential webhook-secret "
                    + "($CREDENTIALS_DIRECTORY/webhook-secret) when there is one. Without either the webhook is "
                    + "disabled.")
    private Path webhookSecretFile;

    @Option(names = "--job-store", paramLabel = "JDBC_URL",
            description = "Share the work with other daemons through Quartz's clustered job store in PostgreSQL "
                    + "(jdbc:postgresql://host:port/db?user=...). Default: in memory, this daemon only.")
    private String jobStore;

    @Option(names = "--job-store-password-file", paramLabel = "FILE",
            description = "The job store user's password, when not in the URL. Default: the systemd credential "
                    + "job-store-password ($CREDENTIALS_DIRECTORY/job-store-password) when there is one.")
    private Path jobStorePasswordFile;

    @Option(names = "--scheduler-name", paramLabel = "NAME", defaultValue = "pgrds",
            description = "Daemons sharing a job store must use the same name (default: ${DEFAULT-VALUE}).")
    private String schedulerName;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "4",
            description = "Clusters reconciled at once (default: ${DEFAULT-VALUE}).")
    private int threads;

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text",
            converter = LogFormatConverter.class, description = "Log lines on stderr: text (UTC date and time, level, "
                    + "logger, message) or json (one object per line, for log shippers). Default: ${DEFAULT-VALUE}.")
    private LogFormat logFormat;

    @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "30s",
            converter = DurationConverter.class, description = "How long a run waits for another apply of the same "
                    + "cluster (default: ${DEFAULT-VALUE}); the next run tries again.")
    private Duration lockTimeout;

    /** The daemon's configuration: these options, the repository and ref of the top command, how to observe. */
    Daemon.Config config(PgrdsCommand top, ObserveOptions observe) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown";
        }
        Map<String, String> env = System.getenv();
        Optional<JobStores.Jdbc> store = Optional.ofNullable(jobStore).map(url -> new JobStores.Jdbc(url,
                secretFile(jobStorePasswordFile, JOB_STORE_PASSWORD, env).map(DaemonOptions::secret), 5000));
        return new Daemon.Config(top.repoLocation(), top.ref(), interval(interval), address(http),
                secretFile(webhookSecretFile, WEBHOOK_SECRET, env).map(f -> secret(f).getBytes(
                        StandardCharsets.UTF_8)), store,
                FleetReader.cacheDir(), observe.shellOptions(), observe.settings().parallel(),
                observe.settings().deadline(), lockTimeout, threads, schedulerName,
                host);
    }

    /** The systemd credential (LoadCredential=) that stands in for --webhook-secret-file. */
    static final String WEBHOOK_SECRET = "webhook-secret";
    /** The systemd credential that stands in for --job-store-password-file. */
    static final String JOB_STORE_PASSWORD = "job-store-password";

    /**
     * Where a secret is read from: the option's file, else the systemd credential of that name when the service
     * manager passed one ({@code $CREDENTIALS_DIRECTORY/<credential>}), else nowhere. A credential that is absent is
     * no secret; one that is there is read like the option's file (empty is an error).
     */
    static Optional<Path> secretFile(Path option, String credential, Map<String, String> env) {
        if (option != null) {
            return Optional.of(option);
        }
        String dir = env.get("CREDENTIALS_DIRECTORY");
        if (dir == null || dir.isBlank()) {
            return Optional.empty();
        }
        Path file = Path.of(dir, credential);
        return Files.exists(file) ? Optional.of(file) : Optional.empty();
    }

    /** The interval between two runs: at least a second. */
    static Duration interval(Duration d) {
        if (d.toMillis() < 1000) {
            throw new PgrdsException(ErrorCode.USAGE, "The interval " + d.toMillis() + " ms is too short: use at "
                    + "least 1s.");
        }
        return d;
    }

    /** {@code host:port}; {@code off} for none. */
    static InetSocketAddress address(String text) {
        if (text == null || text.equalsIgnoreCase("off")) {
            return null;
        }
        int colon = text.lastIndexOf(':');
        try {
            if (colon < 0) {
                throw new NumberFormatException();
            }
            String host = text.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new InetSocketAddress(host.isEmpty() ? "0.0.0.0" : host, Integer.parseInt(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new PgrdsException(ErrorCode.USAGE, "Unable to read --http '" + text + "': write it as "
                    + "127.0.0.1:8080 (or off).");
        }
    }

    private static String secret(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (s.isEmpty()) {
                throw new PgrdsException(ErrorCode.USAGE, "The secret file " + file + " is empty; write the "
                        + "secret into it.");
            }
            return s;
        } catch (IOException e) {
            throw new PgrdsException(ErrorCode.IO, "Unable to read the secret file " + file + ": " + e.getMessage()
                    + ".");
        }
    }

    LogFormat logFormat() {
        return logFormat;
    }

    /** {@code text} or {@code json}, any case; anything else is a usage error naming both. */
    static final class LogFormatConverter implements picocli.CommandLine.ITypeConverter<LogFormat> {
        @Override
        public LogFormat convert(String value) {
            try {
                return LogFormat.valueOf(value.strip().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a log format: use text "
                        + "or json");
            }
        }
    }
}
