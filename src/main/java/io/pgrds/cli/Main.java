package io.pgrds.cli;

import picocli.CommandLine;

/** Entry point of the {@code pgrds} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line and returns its exit status (0 ok, 2 changes present, an error's own status). */
    public static int run(String... args) {
        Terminal terminal = Terminal.system();
        return run(terminal, args);
    }

    public static int run(Terminal terminal, String... args) {
        PgrdsCommand top = new PgrdsCommand(terminal);
        CommandLine cl = PgrdsCommand.forArgs(top, args)
                .setOut(terminal.out())
                .setErr(terminal.err())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(new Failures(top))
                .setParameterExceptionHandler(new Failures(top))
                .setExecutionStrategy(parsed -> {
                    // not with --debug: that configures Logback on the main thread (FleetReader), which must find
                    // it up, not being started on another; and the speed of a debug run matters little
                    if (!top.debug() && parsed.asCommandLineList().get(parsed.asCommandLineList().size() - 1)
                            .getCommand() instanceof NodesCommand) {
                        Warmup.start();
                    }
                    return new CommandLine.RunLast().execute(parsed);
                });
        try {
            return cl.execute(args);
        } finally {
            terminal.out().flush();
            terminal.err().flush();
        }
    }
}
