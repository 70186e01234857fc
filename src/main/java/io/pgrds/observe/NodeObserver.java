package io.pgrds.observe;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.NodeSpec;
import io.pgrds.transport.target.Transport;
import io.pgrds.transport.NodeShell;
import io.pgrds.transport.Sessions;
import io.pgrds.transport.TransportException;
import io.pgrds.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Observes one node: one SSH round trip runs the probe script as the postgres user (shell facts), then, when
 * the server runs, one JDBC connection through the node's tunnel reads the SQL facts. Never throws for a bad
 * node: failures become an UNREACHABLE or UNKNOWN node, or a recorded reason why SQL facts are missing.
 */
final class NodeObserver {
    private static final byte[] PROBE = probeScript();

    private NodeObserver() {
    }

    /**
     * A node's observation and, when it was asked for and the node held no data, what its {@code pgbackrest info}
     * of a restore source printed, or its error.
     */
    record Result(ObservedNode node, Optional<String> sourceCatalog, Optional<String> sourceCatalogError) {
        Result(ObservedNode node) {
            this(node, Optional.empty(), Optional.empty());
        }
    }

    /**
     * @param restoreInfo pgBackRest's arguments for an info of a restore source's stanza, which the probe runs in
     *                    the same round trip when the node holds no data; empty for none
     */
    static Result observe(Sessions sessions, Transport transport, ClusterId cluster, int version, NodeSpec node,
                          Duration sqlTimeout, List<String> restoreInfo) {
        NodeShell shell;
        try {
            shell = sessions.shell(transport, node);
        } catch (TransportException e) {
            return new Result(ObservedNode.unreachable(node.name(), node.host(), e.getMessage(), side(e)));
        }
        ShellFacts facts;
        try {
            NodePaths paths = NodePaths.of(node);
            List<String> argv = new ArrayList<>(List.of("sh", "-s", "--", node.dataDirectory(), node.binDir(),
                    paths.stateDirectory(), node.host(), Integer.toString(node.port()), paths.socketDirectory(),
                    Systemd.unitFor(node.dataDirectory())));
            argv.addAll(restoreInfo);
            NodeShell.ExecResult r = shell.exec(new NodeShell.Exec(argv, true, PROBE, sessions.options()
                    .commandTimeout()));
            if (!r.ok()) {
                return new Result(ObservedNode.unknown(node.name(), node.host(), "the probe failed with exit status "
                        + r.exitCode() + ": " + firstLine(r.stderr())));
            }
            facts = Json.mapper().readValue(r.stdout(), ShellFacts.class);
        } catch (TransportException e) {
            return new Result(ObservedNode.unreachable(node.name(), node.host(), e.getMessage(), side(e)));
        } catch (JsonProcessingException e) {
            return new Result(ObservedNode.unknown(node.name(), node.host(), "the probe printed something that is "
                    + "not its JSON (" + e.getOriginalMessage() + ")"));
        }
        return new Result(sqlSide(shell, node, facts, Classifier.classify(node.name(), node.host(), node.dataDirectory(), cluster,
                version, facts), sqlTimeout), facts.sourceCatalog(), facts.sourceCatalogError());
    }

    /** The node with its SQL facts when its server runs and holds cluster data; else as the shell saw it. */
    private static ObservedNode sqlSide(NodeShell shell, NodeSpec node, ShellFacts facts, ObservedNode shellSide,
                                        Duration sqlTimeout) {
        if (!shellSide.running() || !(shellSide.state().holdsClusterData()
                || shellSide.state() == NodeState.DEACTIVATED)) {
            return shellSide;
        }
        try {
            NodeShell.Endpoint at = shell.tunnel(node.host(), node.port());
            SqlProbe.Login login = facts.managementPassword().isPresent()
                    ? new SqlProbe.Login(at.host(), at.port(), "pgrds", facts.managementPassword())
                    : new SqlProbe.Login(at.host(), at.port(), "postgres", Optional.empty());
            SqlFacts sql = SqlProbe.read(login, (int) Math.max(1, sqlTimeout.toSeconds()));
            return withSql(shellSide, sql);
        } catch (SQLException e) {
            String why = facts.managementPassword().isPresent() ? "" : " (no pgrds credentials on the node yet)";
            return withError(shellSide, "SQL not possible" + why + ": " + firstLine(e.getMessage()));
        } catch (TransportException e) {
            return withError(shellSide, "SQL not possible: " + e.getMessage());
        }
    }

    private static ObservedNode withSql(ObservedNode n, SqlFacts sql) {
        return n.withSql(sql);
    }

    private static ObservedNode withError(ObservedNode n, String error) {
        return n.withError(error);
    }

    /** The side of a transport failure, as the planner reads it. */
    static ReachFailure side(TransportException e) {
        return switch (e.kind()) {
            case LOCAL -> ReachFailure.LOCAL;
            case AUTHENTICATION -> ReachFailure.AUTHENTICATION;
            case REFUSED -> ReachFailure.REFUSED;
            case SILENT -> ReachFailure.SILENT;
            case LOST -> ReachFailure.LOST;
            case JUMP -> ReachFailure.JUMP;
        };
    }

    private static String firstLine(String s) {
        if (s == null || s.isBlank()) {
            return "(no message)";
        }
        return s.strip().lines().findFirst().orElse("");
    }

    private static byte[] probeScript() {
        try (InputStream in = NodeObserver.class.getResourceAsStream("/io/pgrds/observe/probe.sh")) {
            if (in == null) {
                throw new IllegalStateException("probe.sh is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
