package io.pgrds.cli;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

@Command(name = "pgrds", mixinStandardHelpOptions = true, versionProvider = Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Declarative PostgreSQL clusters from a git repository of YAML files, over SSH.",
        footerHeading = "%nExit status:%n",
        footer = {"  0 success (plan: no changes)   1 apply cancelled; status: not healthy   2 plan: changes present",
                "  3 plan refused   4 saved plan stale   5 apply failed   6 invalid files   7 repository unavailable",
                "  8 unknown cluster   9 node unreachable   10 I/O error   64 usage error   70 a bug (run with --debug)"})
public final class PgrdsCommand implements Runnable {
    /**
     * Every subcommand, in the order the usage lists them. They are added by {@link #commandLine}, not named in the
     * annotation, so that running one builds the model of that one only (see {@link #forArgs}).
     */
    static final List<Class<?>> SUBCOMMANDS = List.of(ValidateCommand.class, StatusCommand.class,
            PlanCommand.class, ApplyCommand.class, CredentialsCommand.class, HistoryCommand.class,
            BackupCommand.class, BackupsCommand.class, VerifyBackupCommand.class, InitCommand.class,
            SwitchoverCommand.class, AddNodeCommand.class, RemoveNodeCommand.class, DaemonCommand.class,
            CommandLine.HelpCommand.class);

    /** The options of this command that take a value, written before a subcommand's name. */
    static final Set<String> VALUE_OPTIONS = Set.of("--repo", "--ref", "--color");

    /** This command's own help and version options: before a subcommand's name, they answer for pgrds itself. */
    static final Set<String> HELP_OPTIONS = Set.of("-h", "--help", "-V", "--version");

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

    /** When the output may be coloured. */
    enum ColorWhen { AUTO, ALWAYS, NEVER }

    @Option(names = "--color", scope = ScopeType.INHERIT, paramLabel = "WHEN", defaultValue = "auto",
            description = "Colour the output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or "
                    + "never (default: ${DEFAULT-VALUE}).")
    private ColorWhen color;

    @Option(names = "--no-color", scope = ScopeType.INHERIT, description = "The same as --color=never.")
    private boolean noColor;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    PgrdsCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    /** The command line with every subcommand: for help, the man pages and shell completion. */
    static CommandLine commandLine(PgrdsCommand top) {
        return commandLine(top, SUBCOMMANDS);
    }

    static CommandLine commandLine(PgrdsCommand top, List<Class<?>> subcommands) {
        CommandLine cl = new CommandLine(top);
        subcommands.forEach(cl::addSubcommand);
        return cl;
    }

    /**
     * The command line to run {@code args} with. Building picocli's model of a command reads its annotations by
     * reflection, some 5 ms a command on a cold JVM; a run needs only the one it names. So when the arguments
     * certainly name a subcommand (the first word that is neither an option of this command nor an option's
     * value), only that one is added; in every other case (no subcommand, {@code help}, {@code --help} or
     * {@code --version} before the name, short options written together, a misspelt name that deserves "did you
     * mean") all are, and picocli parses exactly as it would with all of them.
     */
    static CommandLine forArgs(PgrdsCommand top, String... args) {
        return named(args).filter(name -> !name.equals("help"))
                .flatMap(name -> SUBCOMMANDS.stream().filter(c -> name.equals(nameOf(c))).findFirst())
                .map(c -> commandLine(top, List.of(c)))
                .orElseGet(() -> commandLine(top));
    }

    /**
     * The first word of {@code args} in a subcommand's place, or empty when there is none or pgrds's own help or
     * version is asked for before it.
     */
    static Optional<String> named(String... args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--") || HELP_OPTIONS.contains(a) || a.matches("-[^-].+")) {
                return Optional.empty(); // the last: short options together (-hV), which could hold -h
            }
            if (VALUE_OPTIONS.contains(a)) {
                i++; // its value, whatever it looks like
            } else if (!a.startsWith("-")) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    private static String nameOf(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }

    @Override
    public void run() {
        spec.commandLine().usage(terminal.out());
    }

    /** Where to write, coloured as --color / --no-color say (auto: as the terminal allows). */
    Terminal terminal() {
        boolean colour = noColor || color == ColorWhen.NEVER ? false
                : color == ColorWhen.ALWAYS || terminal.colour();
        return colour == terminal.colour() ? terminal : terminal.withColour(colour);
    }

    public boolean debug() {
        return debug;
    }

    /** The --ref option, or null for HEAD. */
    public String ref() {
        return ref;
    }

    public String repoLocation() {
        return repo != null ? repo : System.getenv().getOrDefault("PGRDS_REPO", ".");
    }
}
