package io.pgrds.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.transport.target.Become;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.NodeSpec;
import io.pgrds.transport.target.SshSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hooks run on this machine, without a shell: real scripts in a temporary directory. */
class HookTest {
    private static final ClusterId CLUSTER = new ClusterId("orderdata", "integration");
    private static final NodeSpec NODE = new NodeSpec("pg1", "10.0.0.1", new SshSettings("pgrds", 2222,
            Optional.empty(), Optional.empty(), Become.SUDO), "/usr/lib/postgresql/15/bin", "/srv/pg1/data", 5433);

    @TempDir
    Path tmp;

    private Path script(String name, String body) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        return f;
    }

    @Test
    void theServiceHookGetsTheNewPrimaryInItsEnvironment() throws IOException {
        Path out = tmp.resolve("env");
        Path hook = script("register", "env | grep '^PGRDS_' | sort > '" + out + "'");
        Hook.run(hook.toString(), CLUSTER, "orders.example.com", NODE);
        assertEquals(List.of("PGRDS_CLUSTER=orderdata/integration", "PGRDS_PRIMARY_HOST=10.0.0.1",
                "PGRDS_PRIMARY_NODE=pg1", "PGRDS_PRIMARY_PORT=5433", "PGRDS_SERVICE=orders.example.com"),
                Files.readAllLines(out));
    }

    @Test
    void theFenceHookGetsTheNodeToFenceInItsEnvironment() throws IOException {
        Path out = tmp.resolve("env");
        Path hook = script("fence", "env | grep '^PGRDS_' | sort > '" + out + "'");
        Hook.fence(hook.toString(), CLUSTER, NODE, Duration.ofSeconds(30));
        assertEquals(List.of("PGRDS_CLUSTER=orderdata/integration", "PGRDS_DATA_DIRECTORY=/srv/pg1/data",
                "PGRDS_NODE=pg1", "PGRDS_NODE_HOST=10.0.0.1", "PGRDS_NODE_PORT=5433", "PGRDS_NODE_SSH_PORT=2222"),
                Files.readAllLines(out));
    }

    @Test
    void aHookIsOneExecutableNeverAShellCommand() throws IOException {
        Path marker = tmp.resolve("pwned");
        ApplyException e = assertThrows(ApplyException.class, () -> Hook.run("/bin/touch " + marker, CLUSTER,
                "orders.example.com", NODE));
        assertFalse(Files.exists(marker), "nothing ran the text as a command");
        assertTrue(e.getMessage().startsWith("cannot run the service hook /bin/touch " + marker + ": "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("the hook must be an executable file on the machine running pgrds (a "
                + "command goes into a script that this path names)"), e.getMessage());
    }

    @Test
    void aFenceHookThatFailsNamesItsExitStatusAndLastOutput() throws IOException {
        Path hook = script("fence", "echo connecting to the PDU; echo outlet 7 did not switch off >&2; exit 3");
        ApplyException e = assertThrows(ApplyException.class, () -> Hook.fence(hook.toString(), CLUSTER, NODE,
                Duration.ofSeconds(30)));
        assertEquals("the fence hook " + hook + " for node pg1 failed (exit status 3); its last output: connecting "
                + "to the PDU | outlet 7 did not switch off", e.getMessage());
    }

    @Test
    void aHookThatDoesNotFinishInTimeIsKilledWithWhatItStarted() throws IOException, InterruptedException {
        Path pid = tmp.resolve("child.pid");
        Path hook = script("fence", "echo waiting for the PDU; sleep 60 & echo $! > '" + pid + "'; wait");
        long start = System.nanoTime();
        ApplyException e = assertThrows(ApplyException.class, () -> Hook.fence(hook.toString(), CLUSTER, NODE,
                Duration.ofMillis(700)));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "returned at the deadline");
        assertEquals("the fence hook " + hook + " for node pg1 did not finish within 700 ms and was killed; its "
                + "last output: waiting for the PDU", e.getMessage());
        long child = Long.parseLong(Files.readString(pid).strip());
        for (int i = 0; i < 50 && ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(100);
        }
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "the hook's child was killed");
    }

    @Test
    void aHookReadingItsInputGetsEndOfFileInsteadOfHanging() throws IOException {
        Path hook = script("register", "cat >/dev/null; echo done");
        Hook.run(hook.toString(), CLUSTER, "orders.example.com", NODE);
    }
}
