package io.pgrds.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A run builds the model of the one subcommand its arguments name ({@link PgrdsCommand#forArgs}); it must parse
 * every command line exactly as the model with all of them does, and say the same on a mistake.
 */
class SubcommandModelTest {
    private static PgrdsCommand top() {
        PrintWriter nowhere = new PrintWriter(java.io.Writer.nullWriter());
        return new PgrdsCommand(new Terminal(nowhere, nowhere, false, false));
    }

    private static List<String> names() {
        return PgrdsCommand.commandLine(top()).getSubcommands().keySet().stream().toList();
    }

    @Test
    void theOptionsSkippedWithTheirValueAreExactlyTheTopLevelOptionsThatTakeOne() {
        Set<String> taking = new TreeSet<>();
        for (OptionSpec o : PgrdsCommand.commandLine(top()).getCommandSpec().options()) {
            if (o.arity().max() > 0) {
                taking.addAll(List.of(o.names()));
            }
        }
        assertEquals(new TreeSet<>(PgrdsCommand.VALUE_OPTIONS), taking);
        Set<String> help = new TreeSet<>();
        for (OptionSpec o : PgrdsCommand.commandLine(top()).getCommandSpec().options()) {
            if (o.usageHelp() || o.versionHelp()) {
                help.addAll(List.of(o.names()));
            }
        }
        assertEquals(new TreeSet<>(PgrdsCommand.HELP_OPTIONS), help);
    }

    @Test
    void theNamedSubcommandIsTheFirstWordNotAnOptionOrItsValue() {
        for (String name : names()) {
            assertEquals(Optional.of(name), PgrdsCommand.named(name));
            assertEquals(Optional.of(name), PgrdsCommand.named("--repo", "status", name, "x"));
            assertEquals(Optional.of(name), PgrdsCommand.named("--repo=plan", "--debug", name));
            assertEquals(Optional.of(name), PgrdsCommand.named("--color", "never", "--ref", "apply", name, "--json"));
        }
        assertEquals(Optional.empty(), PgrdsCommand.named());
        assertEquals(Optional.empty(), PgrdsCommand.named("--version"));
        assertEquals(Optional.empty(), PgrdsCommand.named("--", "status"));
        assertEquals(Optional.empty(), PgrdsCommand.named("--help", "status"), "pgrds's own usage, all commands");
        assertEquals(Optional.empty(), PgrdsCommand.named("-V", "status"));
        assertEquals(Optional.empty(), PgrdsCommand.named("-hV", "status"));
        assertEquals(Optional.of("status"), PgrdsCommand.named("status", "--help"));
    }

    @Test
    void aRunOfOneSubcommandBuildsThatOneAndHelpOrAnUnknownWordBuildsAll() {
        for (String name : names()) {
            CommandLine cl = PgrdsCommand.forArgs(top(), "--repo", "x", name);
            assertEquals(name.equals("help") ? names() : List.of(name),
                    List.copyOf(cl.getSubcommands().keySet()), name);
        }
        assertEquals(names(), List.copyOf(PgrdsCommand.forArgs(top(), "stauts").getSubcommands().keySet()));
        assertEquals(names(), List.copyOf(PgrdsCommand.forArgs(top(), "--help").getSubcommands().keySet()));
        assertEquals(names(), List.copyOf(PgrdsCommand.forArgs(top()).getSubcommands().keySet()));
    }

    @Test
    void everyCommandLineParsesAsWithEverySubcommandBuilt() {
        List<String[]> lines = new ArrayList<>();
        for (String name : names()) {
            lines.add(new String[] {name});
            lines.add(new String[] {"--repo", "/r", "--ref", "main", "--color=never", name});
            lines.add(new String[] {name, "--debug", "--repo", "/s"});
            lines.add(new String[] {name, "--help"});
            lines.add(new String[] {"--help", name});
            lines.add(new String[] {"-h", "--repo", "/r", name});
            lines.add(new String[] {"-V", name});
            lines.add(new String[] {name, "--no-such-option"});
        }
        lines.add(new String[] {"status", "team/stage", "--json", "--watch", "5s"});
        lines.add(new String[] {"plan", "--out", "p.json", "team"});
        lines.add(new String[] {"apply", "--auto-approve", "--plan", "p.json"});
        lines.add(new String[] {"stauts"});
        for (String[] args : lines) {
            assertEquals(parsed(PgrdsCommand.commandLine(top()), args), parsed(PgrdsCommand.forArgs(top(), args),
                    args), String.join(" ", args));
        }
    }

    /** What a parse made of {@code args}: each command's name and matched options and values, or the error. */
    private static String parsed(CommandLine cl, String[] args) {
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        StringWriter usage = new StringWriter();
        try {
            CommandLine.ParseResult r = cl.parseArgs(args);
            List<String> out = new ArrayList<>();
            for (CommandLine c : r.asCommandLineList()) {
                CommandLine.ParseResult p = c.getParseResult();
                out.add(c.getCommandName() + " " + p.matchedOptions().stream()
                        .map(o -> o.longestName() + "=" + String.valueOf((Object) o.getValue()))
                        .collect(Collectors.joining(",")) + " " + p.matchedPositionals().stream()
                        .map(x -> String.valueOf((Object) x.getValue())).collect(Collectors.joining(",")));
            }
            for (CommandLine c : r.asCommandLineList()) {
                if (c.isUsageHelpRequested()) {
                    c.usage(new PrintWriter(usage)); // the commands it lists too
                }
            }
            return String.join(" | ", out) + usage;
        } catch (CommandLine.ParameterException e) {
            return "error: " + e.getMessage();
        }
    }
}
