package io.pgrds.cli;

import io.pgrds.transport.Sessions;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** A command that reaches the nodes of the fleet: the global options, and how to observe. */
abstract class NodesCommand implements Callable<Integer> {
    @ParentCommand
    PgrdsCommand top;

    @Mixin
    ObserveOptions observe;

    Terminal terminal() {
        return top.terminal();
    }

    /** Connections to the nodes, closed by the caller. */
    Sessions sessions() {
        return new Sessions(observe.shellOptions());
    }

    /** What {@code work} makes of connections to the nodes, closed once it is done. */
    <T> T connected(Function<Sessions, T> work) {
        try (Sessions sessions = sessions()) {
            return work.apply(sessions);
        }
    }
}
