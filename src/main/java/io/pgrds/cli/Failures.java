package io.pgrds.cli;

import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import picocli.CommandLine;

/**
 * Turns every failure into a message and an exit status. A {@link PgrdsException} prints its message (it says
 * what failed and what to do); anything else is a bug and says so. Stack traces only with {@code --debug}.
 */
final class Failures implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {
    private final PgrdsCommand top;

    Failures(PgrdsCommand top) {
        this.top = top;
    }

    /** The terminal as --color / --no-color colour it (as the terminal allows when a usage error came first). */
    private Terminal terminal() {
        return top.terminal();
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        if (top.debug()) {
            e.printStackTrace(terminal().err());
        }
        if (e instanceof PgrdsException p) {
            terminal().error(p.code(), p.getMessage());
            return p.code().exitCode();
        }
        terminal().error(ErrorCode.INTERNAL, e + (top.debug() ? "" : "\nThis is a bug in pgrds. Run again with "
                + "--debug for the stack trace and report it."));
        return ErrorCode.INTERNAL.exitCode();
    }

    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        terminal().error(ErrorCode.USAGE, e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, terminal().err());
        terminal().err().println("See '" + cl.getCommandSpec().qualifiedName() + " --help'.");
        return ErrorCode.USAGE.exitCode();
    }
}
