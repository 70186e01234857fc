package io.pgrds.transport;

import io.pgrds.transport.target.Become;
import io.pgrds.transport.target.SshSettings;
import io.pgrds.transport.target.Transport;
import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.transport.NodeShell.Exec;
import io.pgrds.transport.NodeShell.ExecResult;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Any argument a command is given arrives unchanged on the node: through the real sshd and the login user's
 * shell (so through {@link ShellQuote}), as root and as postgres via runuser and via sudo, and through the
 * local shell, including its detour for arguments the JVM's locale cannot encode. Each try runs
 * {@code printf '%s\0' ARG...} and compares what comes back with what went in.
 */
class ArgvRoundTripIT {
    private static TestHosts hosts;
    private static final Map<String, NodeShell> shells = new LinkedHashMap<>();
    private static final ExecutorService pool = Executors.newFixedThreadPool(10);

    @BeforeContainer
    static void start() {
        // jqwik does not run JUnit extensions: the harness is started and stopped by hand
        hosts = TestHosts.create(1).start();
        TestNode node = hosts.node(0);
        try {
            for (Become become : List.of(Become.RUNUSER, Become.SUDO)) {
                SshSettings ssh = node.ssh();
                shells.put("ssh " + become, NodeShells.open(Transport.SSH, node.spec(new SshSettings(ssh.user(),
                        ssh.port(), ssh.identityFile(), ssh.knownHostsFile(), become)), ShellOptions.defaults()));
                shells.put("local " + become, new LocalNodeShell(become, Duration.ofSeconds(30)));
            }
            shells.put("local ASCII locale", new LocalNodeShell(Become.RUNUSER, Duration.ofSeconds(30),
                    StandardCharsets.US_ASCII));
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    @AfterContainer
    static void stop() {
        pool.shutdownNow();
        shells.values().forEach(NodeShell::close);
        shells.clear();
        if (hosts != null) {
            hosts.close();
        }
    }

    @Property(tries = 200)
    void anyArgumentsArriveUnchanged(@ForAll("argvs") List<String> args) {
        roundTrip(args);
    }

    @Example
    void theNastyOnesArriveUnchanged() {
        roundTrip(List.of("", " ", "'", "''", "'\\''", "\"", "$(touch /tmp/pwned)", "`id`", "a;b", "&&", "|", "*",
                "~", "$HOME", "${HOME}", "\\", "\n", "\r\n", "\t", "-n", "--", "!", "#x", "%s", "if", "A=b",
                "grüße", "✓", "😀", "日本語", "a\nb'c\"d$e`f", "{a,b}", "[ab]", "<", ">", "2>&1", "$'\\x41'"));
    }

    private static void roundTrip(List<String> args) {
        List<String> argv = new ArrayList<>(List.of("printf", "%s\\0"));
        argv.addAll(args);
        String expected = args.isEmpty() ? "\0" : String.join("\0", args) + "\0";
        // every shell and user at once: a try costs one round trip, and the shells run commands concurrently
        Map<String, Future<ExecResult>> results = new LinkedHashMap<>();
        for (Map.Entry<String, NodeShell> shell : shells.entrySet()) {
            for (boolean asPostgres : new boolean[] {false, true}) {
                Exec exec = new Exec(argv, asPostgres, null, Duration.ofSeconds(30));
                results.put(shell.getKey() + (asPostgres ? " as postgres" : ""),
                        pool.submit(() -> shell.getValue().exec(exec)));
            }
        }
        results.forEach((where, result) -> assertEquals(new ExecResult(0, expected, ""), get(result), where));
    }

    private static ExecResult get(Future<ExecResult> result) {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
    }

    @Provide
    Arbitrary<List<String>> argvs() {
        return argument().list().ofMaxSize(6);
    }

    /** Strings weighted toward what a shell treats specially, plus any Unicode text (no NUL, no lone surrogates). */
    private static Arbitrary<String> argument() {
        Arbitrary<String> special = Arbitraries.of("'", "\"", "\\", "$", "`", "(", ")", ";", "&", "|", "<", ">", "*",
                "?", "[", "]", "{", "}", "~", "#", "!", "=", "%", " ", "\t", "\n", "\r", "-", "$(", "'\\''");
        Arbitrary<String> codePoint = Arbitraries.integers().between(1, Character.MAX_CODE_POINT)
                .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE)
                .map(Character::toString);
        Arbitrary<String> ascii = Arbitraries.strings().ascii().ofMinLength(1).ofMaxLength(3)
                .filter(s -> s.indexOf('\0') < 0);
        Arbitrary<String> piece = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, special), net.jqwik.api.Tuple.of(3, ascii), net.jqwik.api.Tuple.of(2, codePoint));
        return piece.list().ofMaxSize(12).map(pieces -> String.join("", pieces));
    }
}
