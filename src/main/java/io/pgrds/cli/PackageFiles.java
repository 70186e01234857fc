package io.pgrds.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The files a package ships besides the jar, made from the command model itself at build time (pom.xml, package):
 * a man page per command in troff, gzipped ({@code usr/share/man/man1/pgrds-validate.1.gz}, …), and the bash and
 * zsh completion ({@code usr/share/bash-completion/completions/pgrds}, {@code usr/share/zsh/vendor-completions/_pgrds}),
 * laid out under the output directory as they are installed. picocli's own man page generator writes AsciiDoc, which
 * needs Asciidoctor to become troff; this renderer writes troff directly.
 */
public final class PackageFiles {
    private PackageFiles() {
    }

    /** Writes the man pages and completion scripts under the directory given as the only argument. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: PackageFiles OUTPUT_DIRECTORY");
            System.exit(64);
        }
        Path out = Path.of(args[0]);
        CommandLine top = commandLine();
        String version = "pgrds " + io.pgrds.util.BuildInfo.current().version();
        Path man = Files.createDirectories(out.resolve("usr/share/man/man1"));
        for (Map.Entry<String, String> page : manPages(top, version).entrySet()) {
            // gzip as Debian ships man pages; Java's GZIPOutputStream writes no time stamp, so the bytes repeat
            try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(man.resolve(page.getKey() + ".gz")))) {
                gz.write(page.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        Files.writeString(Files.createDirectories(out.resolve("usr/share/bash-completion/completions"))
                .resolve("pgrds"), bashCompletion(top), StandardCharsets.UTF_8);
        Files.writeString(Files.createDirectories(out.resolve("usr/share/zsh/vendor-completions")).resolve("_pgrds"),
                zshCompletion(top), StandardCharsets.UTF_8);
    }

    static CommandLine commandLine() {
        PrintWriter nowhere = new PrintWriter(java.io.Writer.nullWriter());
        return PgrdsCommand.commandLine(new PgrdsCommand(new Terminal(nowhere, nowhere, false, false)));
    }

    /** File name (pgrds-validate.1) → troff text, for the command and every subcommand except help. */
    static Map<String, String> manPages(CommandLine top, String version) {
        Map<String, String> pages = new TreeMap<>();
        collect(top, version, pages);
        return pages;
    }

    private static void collect(CommandLine cl, String version, Map<String, String> pages) {
        CommandSpec spec = cl.getCommandSpec();
        if (spec.usageMessage().hidden() || spec.userObject() instanceof CommandLine.HelpCommand) {
            return;
        }
        pages.put(pageName(spec) + ".1", manPage(spec, version));
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommandSpec().parent() == spec && sub.getCommandName().equals(sub.getCommandSpec().name())) {
                collect(sub, version, pages);
            }
        }
    }

    private static String pageName(CommandSpec spec) {
        return spec.qualifiedName("-");
    }

    /** One command's man page in troff. */
    static String manPage(CommandSpec spec, String version) {
        StringBuilder t = new StringBuilder();
        String name = pageName(spec);
        t.append(".TH ").append(roff(name.toUpperCase(java.util.Locale.ROOT))).append(" 1 \"\" \"")
                .append(roff(version)).append("\" \"pgrds manual\"\n");
        t.append(".SH NAME\n").append(roff(name)).append(" \\- ").append(roff(summary(spec))).append('\n');
        t.append(".SH SYNOPSIS\n.nf\n");
        CommandLine.Help help = new CommandLine.Help(spec, CommandLine.Help.defaultColorScheme(
                CommandLine.Help.Ansi.OFF));
        for (String line : help.synopsis(0).strip().split("\n")) {
            t.append(roffLine(line.stripTrailing())).append('\n');
        }
        t.append(".fi\n");
        t.append(".SH DESCRIPTION\n");
        for (String paragraph : spec.usageMessage().description()) {
            paragraph(t, paragraph);
        }
        List<PositionalParamSpec> params = spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
        if (!params.isEmpty()) {
            t.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : params) {
                t.append(".TP\n\\fI").append(roff(p.paramLabel())).append("\\fR\n");
                paragraphs(t, text(p.description(), p.defaultValue(), p.completionCandidates()));
            }
        }
        List<OptionSpec> options = spec.options().stream().filter(o -> !o.hidden()).toList();
        if (!options.isEmpty()) {
            t.append(".SH OPTIONS\n");
            for (OptionSpec o : options) {
                t.append(".TP\n");
                List<String> names = new ArrayList<>();
                for (String n : o.names()) {
                    names.add("\\fB" + roff(n) + "\\fR");
                }
                t.append(String.join(", ", names));
                if (o.arity().max() > 0) {
                    t.append("=\\fI").append(roff(o.paramLabel())).append("\\fR");
                }
                t.append('\n');
                paragraphs(t, text(o.description(), o.defaultValue(), o.completionCandidates()));
            }
        }
        List<CommandSpec> subs = spec.subcommands().values().stream().map(CommandLine::getCommandSpec)
                .filter(s -> s.parent() == spec && !s.usageMessage().hidden()).distinct().toList();
        if (!subs.isEmpty()) {
            t.append(".SH COMMANDS\n");
            for (CommandSpec s : subs) {
                t.append(".TP\n\\fB").append(roff(s.name())).append("\\fR\n").append(roffLine(summary(s)))
                        .append('\n');
            }
        }
        String[] footer = spec.usageMessage().footer();
        if (footer.length > 0) {
            t.append(".SH ").append(roff(spec.usageMessage().footerHeading().replace("%n", "").replace(":", "")
                    .strip().toUpperCase(java.util.Locale.ROOT))).append("\n.nf\n");
            for (String line : footer) {
                t.append(roffLine(line)).append('\n');
            }
            t.append(".fi\n");
        }
        t.append(".SH SEE ALSO\n");
        List<String> see = new ArrayList<>();
        if (spec.parent() != null) {
            see.add("\\fB" + roff(pageName(spec.parent())) + "\\fR(1)");
        }
        for (CommandSpec s : subs) {
            if (!(s.userObject() instanceof CommandLine.HelpCommand)) {
                see.add("\\fB" + roff(pageName(s)) + "\\fR(1)");
            }
        }
        t.append(see.isEmpty() ? "\\fBpgrds\\fR(1)" : String.join(", ", see)).append('\n');
        return t.toString();
    }

    /** The header, else the first sentence of the description: what the NAME line and the COMMANDS list say. */
    private static String summary(CommandSpec spec) {
        String[] d = spec.usageMessage().header().length > 0 ? spec.usageMessage().header()
                : spec.usageMessage().description();
        if (d.length == 0) {
            return spec.name();
        }
        String first = d[0].replace("%n", " ").strip();
        int end = first.indexOf(". ");
        return end > 0 ? first.substring(0, end + 1) : first;
    }

    /** A description as the help shows it: default values and candidates filled in, %n a line break. */
    private static String text(String[] description, String defaultValue, Iterable<String> candidates) {
        List<String> c = new ArrayList<>();
        if (candidates != null) {
            candidates.forEach(c::add);
        }
        return String.join(" ", description)
                .replace("${DEFAULT-VALUE}", defaultValue == null ? "" : defaultValue)
                .replace("${COMPLETION-CANDIDATES}", String.join(", ", c))
                .replace("%n", "\n").replace("%%", "%");
    }

    private static void paragraphs(StringBuilder t, String text) {
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                t.append(".br\n");
            }
            t.append(roffLine(lines[i].strip())).append('\n');
        }
    }

    private static void paragraph(StringBuilder t, String text) {
        t.append(".PP\n");
        paragraphs(t, text.replace("%n", "\n").replace("%%", "%"));
    }

    /** Text with troff's escape character and option dashes escaped. */
    static String roff(String s) {
        return s.replace("\\", "\\e").replace("-", "\\-");
    }

    /** A line of running text: a leading . or ' would be read as a request. */
    static String roffLine(String s) {
        String r = roff(s);
        return r.startsWith(".") || r.startsWith("'") ? "\\&" + r : r;
    }

    static String bashCompletion(CommandLine top) {
        return AutoComplete.bash("pgrds", top);
    }

    /**
     * The zsh completion: zsh autoloads {@code _pgrds} from its fpath on the first completion of pgrds. The file
     * loads the bash completion through zsh's bashcompinit (which registers it for the next time) and then completes
     * this first word with it.
     */
    static String zshCompletion(CommandLine top) {
        StringWriter w = new StringWriter();
        w.write("#compdef pgrds\n");
        w.write("# pgrds completion for zsh: picocli's bash completion, loaded through bashcompinit.\n");
        w.write(bashCompletion(top));
        w.write("\n_bash_complete -o default -F _complete_pgrds\n");
        return w.toString();
    }
}
