package io.pgrds.apply;

import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedNode;
import io.pgrds.transport.NodeShell;
import io.pgrds.util.ShellQuote;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * A recording fake of a node's shell for unit tests of the executor: it answers the reads apply makes from the
 * node's observation (is the server running, is it a standby, which secrets it keeps, what SQL says) and records
 * every command it is asked to run. In a dry run apply only reads; every change it would make is reported to its
 * listener instead, so the two together are the apply's transcript.
 */
final class RecordingShell implements NodeShell {
    private final ObservedNode node;
    private final Consumer<String> record;

    RecordingShell(ObservedNode node, Consumer<String> record) {
        this.node = node;
        this.record = record;
    }

    @Override
    public ExecResult exec(Exec exec) {
        List<String> argv = exec.argv();
        String stdin = exec.stdin() == null ? "" : new String(exec.stdin(), StandardCharsets.UTF_8);
        record.accept("[" + node.name() + "] read: " + ShellQuote.display(argv) + (stdin.isEmpty() ? ""
                : " <<< " + stdin.strip().replace("\n", " ")));
        String program = argv.isEmpty() ? "" : argv.get(0);
        if (program.endsWith("/pg_ctl") && argv.contains("status")) {
            return new ExecResult(node.running() ? 0 : 3, "", "");
        }
        if (program.equals("test") && argv.size() == 3 && argv.get(2).endsWith("/standby.signal")) {
            return new ExecResult(node.state() == NodeState.STANDBY ? 0 : 1, "", "");
        }
        if (program.equals("sh") && argv.size() > 2 && argv.get(2).contains(".password")) {
            // Secrets.read: every node holding the cluster's data keeps its secrets
            return node.state().holdsClusterData() || node.state() == NodeState.DEACTIVATED
                    ? new ExecResult(0, "admin\tA\npgrds\tP\nreplicator\tR\n", "") : new ExecResult(3, "", "");
        }
        if (program.endsWith("/psql")) {
            if (stdin.strip().equals("select pg_is_in_recovery()")) {
                return new ExecResult(0, node.state() == NodeState.STANDBY ? "t\n" : "f\n", "");
            }
            return new ExecResult(0, "", "");
        }
        return new ExecResult(0, "", "");
    }

    @Override
    public void writeFile(String path, byte[] content, String owner, int mode) {
        record.accept("[" + node.name() + "] write file (not in a dry run): " + path);
    }

    @Override
    public Endpoint tunnel(String host, int port) {
        throw new UnsupportedOperationException("a dry run opens no tunnel");
    }

    /** As an SSH shell knows it: the node's verified host key (a fixed stand-in). */
    @Override
    public java.util.Optional<String> hostKeyLine() {
        return java.util.Optional.of(node.host() + " ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIRecordingShellHostKeyOf"
                + node.name());
    }

    @Override
    public String describe() {
        return "recording shell of " + node.name();
    }

    @Override
    public void close() {
    }
}
