package io.pgrds.cli;

import ch.qos.logback.classic.Level;
import io.pgrds.daemon.Daemon;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

@Command(name = "daemon", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Reconcile every cluster of the repository on a schedule and on signed pushes, as far as "
                + "each cluster's reconcile.policy allows (observe: report only; safe: no primary move, restart, "
                + "deactivation or restore; full: everything).",
                "Serves /healthz, /metrics (Prometheus), /status (JSON) and POST /hooks/git. SIGTERM stops "
                        + "between two actions and waits for running reconciles."})
public final class DaemonCommand implements Callable<Integer> {
    @ParentCommand
    private PgrdsCommand top;

    @Mixin
    private DaemonOptions options;

    @Mixin
    private ObserveOptions observe;

    @Override
    public Integer call() throws InterruptedException {
        options.logFormat().apply();
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.pgrds.daemon")).setLevel(
                top.debug() ? Level.DEBUG : Level.INFO);
        Daemon daemon = new Daemon(options.config(top, observe)).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close();
            stopped.countDown();
        }, "pgrds-daemon-stop"));
        stopped.await();
        return 0;
    }
}
