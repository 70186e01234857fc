package io.pgrds.apply;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.NodeSpec;
import io.pgrds.observe.NodePaths;
import io.pgrds.observe.Systemd;
import io.pgrds.plan.ConfigFiles;
import io.pgrds.transport.NodeShell;
import io.pgrds.util.ShellQuote;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The PostgreSQL steps pgrds takes on one node, each as an argv run as the postgres user through the node's
 * shell. Steps that change something go through {@link #change}: with {@code --dry-run} they are reported and
 * not run; read-only checks always run. Nothing here decides what to do: the executor does.
 *
 * <p>Where systemd runs the node (observed: {@link #systemd}), the server is started through the node's instance of
 * {@code pgrds@.service} and the instance enabled, so that a reboot brings it back; every stop disables it first, so
 * that a node pgrds stopped (a fenced or removed primary, an old primary being handed over from) never comes back by
 * a reboot. Stops, reloads and promotions stay pg_ctl's, which has the shutdown modes pgrds needs and acts on a
 * server whoever started it; a {@code systemctl stop} after a stop leaves the unit inactive. Where systemd does not
 * run, everything is pg_ctl's, as before.
 */
final class NodeOps {
    static final String STANDBY_CONF = ConfigFiles.STANDBY_CONF;
    private static final Duration LONG = Duration.ofHours(12);

    private final NodeShell shell;
    private final NodeSpec node;
    private final ClusterId cluster;
    private final NodePaths paths;
    private final ApplyListener listener;
    private final boolean dryRun;
    private final Optional<Systemd> systemd;

    /** A node started and stopped with pg_ctl (no systemd, or not one of the cluster's observed nodes). */
    NodeOps(NodeShell shell, NodeSpec node, ClusterId cluster, ApplyListener listener, boolean dryRun) {
        this(shell, node, cluster, listener, dryRun, Optional.empty());
    }

    /** @param systemd how the node's systemd unit stood when observed; empty where systemd does not run */
    NodeOps(NodeShell shell, NodeSpec node, ClusterId cluster, ApplyListener listener, boolean dryRun,
            Optional<Systemd> systemd) {
        this.shell = shell;
        this.node = node;
        this.cluster = cluster;
        this.paths = NodePaths.of(node);
        this.listener = listener;
        this.dryRun = dryRun;
        this.systemd = systemd;
    }

    /** True when systemd runs the node: the server is started and enabled at boot through its unit. */
    boolean underSystemd() {
        return systemd.isPresent();
    }

    NodeSpec node() {
        return node;
    }

    NodePaths paths() {
        return paths;
    }

    NodeShell shell() {
        return shell;
    }

    String bin(String program) {
        return node.binDir() + "/" + program;
    }

    // ---- running commands ----

    /** A read-only command; runs in dry-run too. */
    NodeShell.ExecResult check(List<String> argv) {
        return shell.exec(new NodeShell.Exec(argv, true, null, Duration.ofSeconds(60)));
    }

    /** A command that changes the node; fails with its stderr unless it exits 0. */
    void change(String what, List<String> argv) {
        change(what, argv, null, Duration.ofMinutes(10), null);
    }

    /**
     * @param shown how the command is shown (stdin with secrets redacted); null shows the argv
     */
    void change(String what, List<String> argv, byte[] stdin, Duration timeout, String shown) {
        run(what, argv, stdin, timeout, shown);
    }

    /** A change whose output the caller needs; in dry-run it is shown, not run, and the output is empty. */
    String changeReading(String what, List<String> argv, byte[] stdin) {
        return run(what, argv, stdin, Duration.ofMinutes(2), null);
    }

    private String run(String what, List<String> argv, byte[] stdin, Duration timeout, String shown) {
        return run(what, argv, true, stdin, timeout, shown);
    }

    private String run(String what, List<String> argv, boolean asPostgres, byte[] stdin, Duration timeout,
                       String shown) {
        listener.command(cluster, node.name(), shown != null ? shown : ShellQuote.display(argv));
        if (dryRun) {
            return "";
        }
        NodeShell.ExecResult r = shell.exec(new NodeShell.Exec(argv, asPostgres, stdin, timeout));
        if (!r.ok()) {
            throw new ApplyException(node.name() + ": " + what + " failed (exit " + r.exitCode() + "): "
                    + tail(r.stderr().isBlank() ? r.stdout() : r.stderr()));
        }
        return r.stdout();
    }

    /**
     * A command that changes the node, whose failure the caller reads itself (an exit status with a meaning of
     * its own); in dry-run it is reported and not run, and reads as a success.
     */
    NodeShell.ExecResult attempt(List<String> argv, Duration timeout) {
        listener.command(cluster, node.name(), ShellQuote.display(argv));
        if (dryRun) {
            return new NodeShell.ExecResult(0, "", "");
        }
        return shell.exec(new NodeShell.Exec(argv, true, null, timeout));
    }

    void write(String path, String content, int mode) {
        listener.command(cluster, node.name(), "write " + path + " (mode " + Integer.toOctalString(mode) + ", "
                + content.getBytes(StandardCharsets.UTF_8).length + " bytes)");
        if (!dryRun) {
            shell.writeFile(path, content.getBytes(StandardCharsets.UTF_8), "postgres", mode);
        }
    }

    /** Writes a secret; what is shown never contains it. */
    void writeSecret(String path, String content) {
        listener.command(cluster, node.name(), "write " + path + " (mode 600, secret)");
        if (!dryRun) {
            shell.writeFile(path, content.getBytes(StandardCharsets.UTF_8), "postgres", 0600);
        }
    }

    boolean exists(String path) {
        return check(List.of("test", "-e", path)).ok();
    }

    // ---- PostgreSQL ----

    boolean running() {
        return check(List.of(bin("pg_ctl"), "status", "-D", node.dataDirectory())).ok();
    }

    /** The data, socket and secrets directories, and pgBackRest's log, lock and spool directories; one command. */
    void prepareDirectories() {
        change("create directories", prepareDirectoriesArgv());
    }

    private List<String> prepareDirectoriesArgv() {
        String pgbackrest = paths.stateDirectory() + "/pgbackrest";
        return List.of("sh", "-c", "umask 077 && mkdir -p \"$1\" \"$2\" \"$3\" \"$4/log\" \"$4/lock\" \"$4/spool\" "
                + "&& chmod 0700 \"$1\"", "sh", node.dataDirectory(), paths.socketDirectory(), paths.secrets(),
                pgbackrest);
    }

    /** Marks the data directory as being created by pgrds, clearing what an interrupted create left. */
    void beginCreate(String what) {
        change("begin " + what, beginCreateArgv(what));
    }

    private List<String> beginCreateArgv(String what) {
        return List.of("sh", "-c", "if [ -f \"$2\" ]; then find \"$1\" -mindepth 1 -delete; fi; "
                + "[ -z \"$(ls -A \"$1\")\" ] || { echo \"$1 is not empty: refusing to write into it\" >&2; exit 1; }; "
                + "echo \"$3\" > \"$2\"", "sh", node.dataDirectory(), paths.stateDirectory() + "/creating", what);
    }

    void endCreate() {
        change("end create", endCreateArgv());
    }

    private List<String> endCreateArgv() {
        return List.of("rm", "-f", paths.stateDirectory() + "/creating");
    }

    void initdb() {
        change("initdb", List.of(bin("initdb"), "-D", node.dataDirectory(), "-U", "postgres", "--data-checksums",
                "--auth-local=peer", "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8"), null,
                Duration.ofMinutes(10), null);
    }

    /** Makes postgresql.conf include pgrds's own files last, so they win; idempotent. */
    private List<String> includeOwnFilesArgv() {
        String conf = node.dataDirectory() + "/postgresql.conf";
        return List.of("sh", "-c", "grep -q \"^include_if_exists = 'pgrds.conf'\" \"$1\" || "
                + "printf '%s\\n' '' '# pgrds: its own settings, last so that they win' "
                + "\"include_if_exists = 'pgrds.conf'\" \"include_if_exists = '" + STANDBY_CONF + "'\" >> \"$1\"",
                "sh", conf);
    }

    /** Starts the server; where systemd runs, through its unit, which is then enabled at boot. */
    void start() {
        start(true);
    }

    /**
     * @param enable where systemd runs, enable the unit once the server is up (a restore enables it only once it
     *               is promoted: a reboot during recovery must not start it again by itself)
     */
    void start(boolean enable) {
        if (systemd.isEmpty()) {
            change("start", startArgv(), null, Duration.ofMinutes(6), null);
            return;
        }
        systemctl("start", Duration.ofMinutes(6));
        if (enable) {
            enableAtBoot();
        }
    }

    /** Where systemd runs: the unit starts the server at boot. Nothing elsewhere. */
    void enableAtBoot() {
        if (systemd.isPresent()) {
            systemctl("enable", Duration.ofMinutes(2));
        }
    }

    /** Where systemd runs: a reboot does not start the server. Nothing elsewhere. */
    void disableAtBoot() {
        if (systemd.isPresent()) {
            systemctl("disable", Duration.ofMinutes(2));
        }
    }

    /** Where systemd runs, after pg_ctl stopped the server: the unit is inactive too (it is already, mostly). */
    void stopUnit() {
        if (systemd.isPresent()) {
            systemctl("stop", Duration.ofMinutes(6));
        }
    }

    /** The unit template's instance for this node. */
    String unit() {
        return Systemd.unitFor(node.dataDirectory());
    }

    /** Where the wrapper the pgrds_node role installs is (sudo may run it as root, and it only runs systemctl). */
    static final String PGRDS_SYSTEMCTL = "/usr/local/sbin/pgrds-systemctl";

    private void systemctl(String verb, Duration timeout) {
        run(verb + " " + unit(), systemctlArgv(verb), false, null, timeout, null);
    }

    /**
     * {@code systemctl VERB UNIT} as root: directly when pgrds logs in as root, else through sudo and the role's
     * wrapper, which accepts only these verbs and pgrds@ instances (sudo rules cannot pin a wildcard argument to one
     * word).
     */
    List<String> systemctlArgv(String verb) {
        return switch (node.ssh().become()) {
            case RUNUSER -> List.of("systemctl", verb, unit());
            case SUDO, NONE -> List.of("sudo", "-n", PGRDS_SYSTEMCTL, verb, unit());
        };
    }

    private List<String> startArgv() {
        return List.of(bin("pg_ctl"), "start", "-D", node.dataDirectory(), "-l", paths.serverLog(), "-w", "-t", "300",
                "-s");
    }

    // ---- several changes in one round trip ----

    Batch batch() {
        return new Batch();
    }

    /**
     * Changes that run on the node as one command, in order, as postgres: one round trip instead of one each. Each
     * is shown as it would be alone; the first that fails stops the rest and is named in the error. Files written
     * here are never secrets (their content travels in the command line): {@link #writeSecret} writes those.
     */
    final class Batch {
        private final List<String> whats = new ArrayList<>();
        private final List<String> shown = new ArrayList<>();
        private final List<String> commands = new ArrayList<>();
        private Duration timeout = Duration.ofMinutes(2);
        /** Under systemd the start runs after the batch, as root through systemctl: true to enable then. */
        private Boolean startAfter;

        /** Writes a file as postgres: to a temporary file beside it, synced, then renamed over it. */
        Batch write(String path, String content, int mode) {
            whats.add("write " + path);
            shown.add("write " + path + " (mode " + Integer.toOctalString(mode) + ", "
                    + content.getBytes(StandardCharsets.UTF_8).length + " bytes)");
            commands.add("write_file " + ShellQuote.join(List.of(path, "0" + Integer.toOctalString(mode), content))
                    + " </dev/null");
            return this;
        }

        Batch change(String what, List<String> argv) {
            whats.add(what);
            shown.add(ShellQuote.display(argv));
            // the script itself comes on stdin: no step may read it
            commands.add(ShellQuote.join(argv) + " </dev/null");
            return this;
        }

        Batch prepareDirectories() {
            return change("create directories", prepareDirectoriesArgv());
        }

        Batch beginCreate(String what) {
            return change("begin " + what, beginCreateArgv(what));
        }

        Batch endCreate() {
            return change("end create", endCreateArgv());
        }

        Batch includeOwnFiles() {
            return change("include pgrds.conf", includeOwnFilesArgv());
        }

        Batch start() {
            return start(true);
        }

        /** The start last; where systemd runs it comes after the batch's round trip ({@link NodeOps#start(boolean)}). */
        Batch start(boolean enable) {
            if (systemd.isPresent()) {
                startAfter = enable;
                return this;
            }
            timeout = timeout.plus(Duration.ofMinutes(6));
            return change("start", startArgv());
        }

        void run() {
            runCommands();
            if (startAfter != null) {
                NodeOps.this.start(startAfter);
            }
        }

        private void runCommands() {
            if (commands.isEmpty()) {
                return;
            }
            shown.forEach(line -> listener.command(cluster, node.name(), line));
            if (dryRun) {
                return;
            }
            StringBuilder script = new StringBuilder(BATCH_PRELUDE);
            for (int i = 0; i < commands.size(); i++) {
                script.append("step=").append(i).append('\n').append(commands.get(i)).append('\n');
            }
            // on stdin, not as an argument: no limit on its length (Linux takes at most 128 KiB per argument), and
            // the files' contents do not show in the process list
            NodeShell.ExecResult r = shell.exec(new NodeShell.Exec(List.of("sh", "-s"), true,
                    script.toString().getBytes(StandardCharsets.UTF_8), timeout));
            if (!r.ok()) {
                String what = r.stderr().lines().filter(l -> l.startsWith(FAILED_STEP)).map(l -> l.substring(
                        FAILED_STEP.length()).strip()).filter(x -> x.matches("[0-9]+")).map(Integer::parseInt)
                        .filter(i -> i < whats.size()).map(whats::get).findFirst().orElse(String.join(", ", whats));
                String said = String.join("\n", r.stderr().lines().filter(l -> !l.startsWith(FAILED_STEP))
                        .toList());
                throw new ApplyException(node.name() + ": " + what + " failed (exit " + r.exitCode() + "): "
                        + tail(said.isBlank() ? r.stdout() : said));
            }
        }
    }

    private static final String FAILED_STEP = "pgrds-batch-failed-step:";

    /** The shell around a batch: stop at the first failure and say which step it was; the file writer. */
    private static final String BATCH_PRELUDE = String.join("\n",
            "set -e",
            "step=none tmp=",
            "trap 'rc=$?; [ -z \"$tmp\" ] || rm -f -- \"$tmp\"; [ $rc -eq 0 ] || printf '\\''\\n%s%s\\n'\\'' \""
                    + FAILED_STEP + "\" \"$step\" >&2' EXIT",
            "write_file() {",
            "  tmp=$(umask 077 && mktemp -- \"$(dirname -- \"$1\")/.pgrds-write.XXXXXXXX\")",
            "  printf '%s' \"$3\" > \"$tmp\"",
            "  chmod -- \"$2\" \"$tmp\"",
            "  sync -- \"$tmp\" 2>/dev/null || :",
            "  mv -f -- \"$tmp\" \"$1\"",
            "  tmp=",
            "}",
            "");

    /**
     * Stops the running server in pg_ctl's {@code mode}. Where systemd runs, the unit is disabled first (a reboot
     * from here on does not start it) and stopped after.
     */
    void stop(String mode) {
        stop(mode, 300, true);
    }

    /** An immediate stop after a fast one failed (the unit was disabled by that one). */
    void stopImmediately() {
        stop("immediate", 60, false);
    }

    private void stop(String mode, int seconds, boolean disable) {
        if (disable) {
            disableAtBoot();
        }
        change(mode.equals("fast") ? "stop" : "stop " + mode, List.of(bin("pg_ctl"), "stop", "-D",
                node.dataDirectory(), "-m", mode, "-w", "-t", Integer.toString(seconds), "-s"), null,
                Duration.ofSeconds(seconds + 60), null);
        stopUnit();
    }

    /** A fast restart; where systemd runs, a stop and a start through the unit (disabled in between). */
    void restart() {
        if (systemd.isPresent()) {
            stop("fast");
            start();
            return;
        }
        change("restart", List.of(bin("pg_ctl"), "restart", "-D", node.dataDirectory(), "-m", "fast", "-l",
                paths.serverLog(), "-w", "-t", "300", "-s"), null, Duration.ofMinutes(6), null);
    }

    void reload() {
        change("reload", List.of(bin("pg_ctl"), "reload", "-D", node.dataDirectory(), "-s"));
    }

    void promote() {
        change("promote", List.of(bin("pg_ctl"), "promote", "-D", node.dataDirectory(), "-w", "-t", "300", "-s"),
                null, Duration.ofMinutes(6), null);
    }

    /**
     * The handover's first step on the old primary, in one round trip: a fast shutdown, and its control data once
     * the server has exited. pg_ctl's own wait looks every 100 ms; this looks for the pid file every 10 ms, as the
     * clients wait for the new primary meanwhile. Returns pg_controldata's output (empty in a dry run). Where systemd
     * runs, the caller disables the unit before (outside the window in which clients wait) and leaves it inactive
     * after ({@link #stopUnit}): pg_ctl's fast shutdown is the one systemd's SIGINT would send, but only pg_ctl stops
     * a server whoever started it, and this wait is pgrds's.
     */
    String stopFastReadingControl() {
        String data = node.dataDirectory();
        return run("stop", List.of("sh", "-c", STOP_AND_CONTROL, "sh", bin("pg_ctl"), data, bin("pg_controldata")),
                null, Duration.ofMinutes(6), ShellQuote.display(List.of(bin("pg_ctl"), "stop", "-D", data, "-m",
                        "fast")) + " (exit seen within 10 ms) && " + ShellQuote.display(List.of(bin("pg_controldata"),
                        "-D", data)));
    }

    private static final String STOP_AND_CONTROL = String.join("\n",
            "export LC_ALL=C",
            "\"$1\" stop -D \"$2\" -m fast -W -s || exit",
            "i=0",
            "while [ -e \"$2/postmaster.pid\" ]; do",
            "  i=$((i + 1))",
            "  if [ \"$i\" -gt 30000 ]; then echo \"the server did not stop within 300 s\" >&2; exit 1; fi",
            "  sleep 0.01",
            "done",
            "exec \"$3\" -D \"$2\"");

    /** How {@link #promoteWhenReplayedPast} ended. */
    enum Promotion { PROMOTED, NOT_REPLAYED }

    /**
     * The handover's step on the target, in one round trip: wait (every 10 ms, at most {@code replayTimeout}) until
     * it has replayed past {@code lsn} (the old primary's shutdown checkpoint), then promote it and wait (every
     * 10 ms) until its control file says it is in production. NOT_REPLAYED: nothing was changed. {@code lsn} is
     * null only in a dry run.
     */
    Promotion promoteWhenReplayedPast(io.pgrds.observe.Lsn lsn, Duration replayTimeout) {
        // a dry run does not know the checkpoint yet: it names it
        String shownLsn = lsn == null ? "<the old primary's shutdown checkpoint>" : lsn.toString();
        if (lsn != null && !shownLsn.matches("[0-9A-F]+/[0-9A-F]+")) {
            throw new IllegalArgumentException("not an LSN: " + shownLsn);
        }
        String data = node.dataDirectory();
        long seconds = Math.max(1, replayTimeout.toSeconds());
        List<String> argv = List.of("sh", "-c", REPLAY_AND_PROMOTE, "sh", bin("pg_ctl"), data, bin("psql"),
                paths.socketDirectory(), Integer.toString(node.port()), shownLsn, Long.toString(seconds),
                bin("pg_controldata"));
        listener.command(cluster, node.name(), "psql -c \"select pg_last_wal_replay_lsn() > '" + shownLsn
                + "'\" (every 10 ms, at most " + replayTimeout.toSeconds() + " s) && " + ShellQuote.display(List.of(
                bin("pg_ctl"), "promote", "-D", data)) + " (in production seen within 10 ms)");
        if (dryRun) {
            return Promotion.PROMOTED;
        }
        NodeShell.ExecResult r = shell.exec(new NodeShell.Exec(argv, true, null, replayTimeout.plus(
                Duration.ofMinutes(6))));
        if (r.exitCode() == 3) {
            return Promotion.NOT_REPLAYED;
        }
        if (!r.ok()) {
            throw new ApplyException(node.name() + ": promote failed (exit " + r.exitCode() + "): "
                    + tail(r.stderr().isBlank() ? r.stdout() : r.stderr()));
        }
        return Promotion.PROMOTED;
    }

    private static final String REPLAY_AND_PROMOTE = String.join("\n",
            "export LC_ALL=C",
            "pgctl=$1 data=$2 psql=$3 sock=$4 port=$5 lsn=$6 seconds=$7 controldata=$8",
            "deadline=$(($(date +%s) + seconds))",
            "until [ \"$(\"$psql\" -X -q -A -t -h \"$sock\" -p \"$port\" -U postgres -d postgres -c \"select "
                    + "pg_last_wal_replay_lsn() > '$lsn'::pg_lsn\")\" = t ]; do",
            "  if [ \"$(date +%s)\" -ge \"$deadline\" ]; then exit 3; fi",
            "  sleep 0.01",
            "done",
            "\"$pgctl\" promote -D \"$data\" -W -s || exit",
            "i=0",
            "until \"$controldata\" -D \"$data\" | grep -q '^Database cluster state: *in production$'; do",
            "  i=$((i + 1))",
            "  if [ \"$i\" -gt 30000 ]; then echo \"not in production 300 s after the promote request\" >&2; exit 1; fi",
            "  sleep 0.01",
            "done");

    /** Runs SQL through the node's own socket as the postgres user (peer authentication); returns the rows. */
    List<String> query(String sql) {
        NodeShell.ExecResult r = shell.exec(new NodeShell.Exec(psql(), true, sql.getBytes(StandardCharsets.UTF_8),
                Duration.ofMinutes(2)));
        if (!r.ok()) {
            throw new ApplyException(node.name() + ": SQL failed: " + tail(r.stderr()));
        }
        List<String> rows = new ArrayList<>();
        r.stdout().lines().filter(l -> !l.isEmpty()).forEach(rows::add);
        return rows;
    }

    /**
     * SQL that changes something; {@code shown} is the statement with secrets redacted. pgrds's own statements (roles)
     * commit without waiting for a quorum of standbys ({@code synchronous_commit = local}): a new primary has no
     * standby yet, and an apply must be able to repair a cluster whose quorum is short. What they write is
     * configuration the next apply writes again, not data a client was told is safe.
     */
    void execute(String what, String sql, String shown) {
        String local = "set synchronous_commit = local;\n";
        change(what, psql(), (local + sql).getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(10), "psql <<SQL\n"
                + local + shown + "\nSQL");
    }

    private List<String> psql() {
        return List.of(bin("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", paths.socketDirectory(),
                "-p", Integer.toString(node.port()), "-U", "postgres", "-d", "postgres");
    }

    static String tail(String text) {
        String t = text == null ? "" : text.strip();
        List<String> lines = t.lines().toList();
        return lines.isEmpty() ? "(no message)" : String.join(" | ", lines.subList(Math.max(0, lines.size() - 3),
                lines.size()));
    }
}
