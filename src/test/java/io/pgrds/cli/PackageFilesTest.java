package io.pgrds.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

class PackageFilesTest {
    @Command(name = "tool", description = {"Does one thing. Then stops.", "A second paragraph.%nWith a break."},
            subcommands = {Sub.class, CommandLine.HelpCommand.class}, footerHeading = "%nExit status:%n",
            footer = {"  0 fine", ".5 a line that starts with a dot"})
    static final class Tool {
        @Option(names = {"-r", "--repo"}, paramLabel = "PATH", defaultValue = "here",
                description = "Where to look (default: ${DEFAULT-VALUE}); back\\slash.")
        String repo;

        @Option(names = "--quiet", description = "Say less.")
        boolean quiet;
    }

    @Command(name = "sub-cmd", description = "Works on one thing.")
    static final class Sub {
        @Parameters(paramLabel = "THING", description = "The thing.")
        String thing;

        @Option(names = "--secret", hidden = true)
        String secret;
    }

    @Test
    void aManPageIsTroffWithEachPartOfTheCommandModel() {
        Map<String, String> pages = PackageFiles.manPages(new CommandLine(new Tool()), "tool 1.0");
        assertEquals(java.util.Set.of("tool.1", "tool-sub-cmd.1"), pages.keySet(), "no page for help");
        assertEquals("""
                .TH TOOL 1 "" "tool 1.0" "pgrds manual"
                .SH NAME
                tool \\- Does one thing.
                .SH SYNOPSIS
                .nf
                tool [\\-\\-quiet] [\\-r=PATH] [COMMAND]
                .fi
                .SH DESCRIPTION
                .PP
                Does one thing. Then stops.
                .PP
                A second paragraph.
                .br
                With a break.
                .SH OPTIONS
                .TP
                \\fB\\-r\\fR, \\fB\\-\\-repo\\fR=\\fIPATH\\fR
                Where to look (default: here); back\\eslash.
                .TP
                \\fB\\-\\-quiet\\fR
                Say less.
                .SH COMMANDS
                .TP
                \\fBsub\\-cmd\\fR
                Works on one thing.
                .TP
                \\fBhelp\\fR
                Display help information about the specified command.
                .SH EXIT STATUS
                .nf
                  0 fine
                \\&.5 a line that starts with a dot
                .fi
                .SH SEE ALSO
                \\fBtool\\-sub\\-cmd\\fR(1)
                """, pages.get("tool.1"));
        assertEquals("""
                .TH TOOL\\-SUB\\-CMD 1 "" "tool 1.0" "pgrds manual"
                .SH NAME
                tool\\-sub\\-cmd \\- Works on one thing.
                .SH SYNOPSIS
                .nf
                tool sub\\-cmd THING
                .fi
                .SH DESCRIPTION
                .PP
                Works on one thing.
                .SH ARGUMENTS
                .TP
                \\fITHING\\fR
                The thing.
                .SH SEE ALSO
                \\fBtool\\fR(1)
                """, pages.get("tool-sub-cmd.1"));
    }

    @Test
    void everyPgrdsCommandGetsAPageAndTheZshCompletionIsAnAutoloadableFunction() {
        CommandLine pgrds = PackageFiles.commandLine();
        Map<String, String> pages = PackageFiles.manPages(pgrds, "pgrds 1.0");
        for (String command : pgrds.getSubcommands().keySet()) {
            if (!command.equals("help")) {
                assertTrue(pages.containsKey("pgrds-" + command + ".1"), command + ": " + pages.keySet());
            }
        }
        assertTrue(pages.get("pgrds.1").contains(".SH EXIT STATUS"), pages.get("pgrds.1"));
        String zsh = PackageFiles.zshCompletion(pgrds);
        assertTrue(zsh.startsWith("#compdef pgrds\n"), "zsh reads the first line to know what it completes");
        assertTrue(zsh.contains("bashcompinit") && zsh.endsWith("_bash_complete -o default -F _complete_pgrds\n"),
                zsh);
    }
}
