package io.pgrds.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.pgrds.desired.DesiredFleet;
import io.pgrds.desired.load.FleetLoader;
import io.pgrds.source.GitSource;
import io.pgrds.source.Snapshot;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

@Command(name = "pgrds", mixinStandardHelpOptions = true, versionProvider = PgrdsCommand.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Declarative PostgreSQL clusters from a git repository of YAML files, over SSH.",
        subcommands = {ValidateCommand.class, StatusCommand.class, PlanCommand.class, ApplyCommand.class,
                CredentialsCommand.class, HistoryCommand.class, BackupCommand.class, BackupsCommand.class,
                VerifyBackupCommand.class, InitCommand.class, DaemonCommand.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExit status:%n",
        footer = {"  0  success (plan: no changes)", "  1  error: invalid files, refused plan, failed apply",
                "  2  plan --detailed-exitcode: changes present"})
public final class PgrdsCommand implements Runnable {
    private final Terminal terminal;

    @Option(names = "--repo", scope = ScopeType.INHERIT, paramLabel = "PATH|URL",
            description = "The fleet repository: a local path or a remote URL (file://, ssh://, https://). "
                    + "Default: $PGRDS_REPO, else the current directory.")
    private String repo;

    @Option(names = "--ref", scope = ScopeType.INHERIT, paramLabel = "REF",
            description = "Branch, tag or commit to read (default: HEAD). The committed tree is read, never the "
                    + "working tree.")
    private String ref;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Log details and print stack traces.")
    private boolean debug;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    PgrdsCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public void run() {
        spec.commandLine().usage(terminal.out());
    }

    Terminal terminal() {
        return terminal;
    }

    public boolean debug() {
        return debug;
    }

    /** Reads the fleet repository at the chosen ref, printing the source's warnings. */
    Snapshot snapshot() {
        if (debug) {
            ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.DEBUG);
        }
        Snapshot s = GitSource.read(repoLocation(), ref, cacheDir());
        s.warnings().forEach(terminal::warn);
        return s;
    }

    /** The --ref option, or null for HEAD. */
    public String ref() {
        return ref;
    }

    public String repoLocation() {
        return repo != null ? repo : System.getenv().getOrDefault("PGRDS_REPO", ".");
    }

    /** Reads and validates the fleet; invalid files are an error listing every problem. */
    DesiredFleet fleet() {
        return FleetLoader.loadOrThrow(snapshot());
    }

    public static Path cacheDir() {
        String explicit = System.getenv("PGRDS_CACHE");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("pgrds").resolve("repos");
    }

    /** The jar's version, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = PgrdsCommand.class.getPackage().getImplementationVersion();
            return new String[] {"pgrds " + (v == null ? "dev" : v)};
        }
    }
}
