package io.pgrds.apply;

import io.pgrds.desired.NodeSpec;
import io.pgrds.plan.ConfigFiles;
import io.pgrds.util.ShellQuote;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The SSH trust a backup from a standby needs: pgBackRest on the standby starts and stops the backup on the
 * primary through its own SSH connection, as postgres to postgres. Each node has its own key pair, made on the
 * node ({@code <state>/ssh/id_ed25519}; the private key never leaves it); every node's postgres trusts the other
 * nodes' public keys, marked with the stanza, with {@code restrict} and (where all hosts are addresses) a
 * {@code from=} list; and each node knows the others' host keys exactly as pgrds verified them. pgBackRest uses
 * them through a small {@code ssh} wrapper in the same directory ({@code cmd-ssh}).
 */
final class BackupKeys {
    private BackupKeys() {
    }

    /** The directory of a node's key, known_hosts and ssh wrapper. */
    static String directory(NodeSpec node) {
        return io.pgrds.observe.NodePaths.of(node).stateDirectory() + "/ssh";
    }

    /** The wrapper pgBackRest runs as {@code cmd-ssh}. */
    static String sshWrapper(NodeSpec node) {
        return directory(node) + "/ssh";
    }

    private static String marker(String stanza) {
        return "pgrds-backup:" + stanza + ":";
    }

    /** Sets up the trust between all the given nodes (the whole cluster), replacing what the stanza had. */
    static void trust(List<NodeOps> nodes, String stanza) {
        Map<String, String> publicKeys = new LinkedHashMap<>();
        Map<String, String> hostKeys = new LinkedHashMap<>();
        for (NodeOps n : nodes) {
            String out = n.changeReading("backup key", List.of("sh", "-c", "umask 077 && mkdir -p \"$1\" && "
                    + "{ [ -f \"$1/id_ed25519\" ] || ssh-keygen -q -t ed25519 -N '' -C \"$2\" -f \"$1/id_ed25519\"; } "
                    + "&& cat \"$1/id_ed25519.pub\"", "sh", directory(n.node()), marker(stanza) + n.node().name()),
                    null);
            publicKeys.put(n.node().name(), out.strip());
            hostKeys.put(n.node().name(), n.shell().hostKeyLine().orElseThrow(() -> new ApplyException(
                    n.node().name() + ": backups from a standby need the SSH transport (pgBackRest reaches the "
                    + "primary over SSH)")));
        }
        List<String> members = nodes.stream().map(n -> n.node().name()).toList();
        String from = from(nodes.stream().map(n -> n.node().host()).toList());
        for (NodeOps n : nodes) {
            StringBuilder authorized = new StringBuilder();
            StringBuilder known = new StringBuilder();
            List<String> others = new ArrayList<>();
            for (NodeOps other : nodes) {
                if (other == n) {
                    continue;
                }
                others.add(other.node().name());
                authorized.append("restrict").append(from).append(' ').append(publicKeys.get(other.node().name()))
                        .append('\n');
                known.append(hostKeys.get(other.node().name())).append('\n');
            }
            n.write(directory(n.node()) + "/known_hosts", known.toString(), 0600);
            n.write(sshWrapper(n.node()), wrapper(n.node()), 0700);
            authorize(n, stanza, members, others, authorized.toString());
        }
    }

    /** Removes the stanza's keys from the nodes' postgres authorized_keys (backups from the primary again). */
    static void untrust(List<NodeOps> nodes, String stanza) {
        for (NodeOps n : nodes) {
            authorize(n, stanza, List.of(), List.of(), "");
        }
    }

    /**
     * Edits postgres's authorized_keys under a lock: drops the stanza's lines for nodes that are not
     * {@code members} any more and for the nodes whose keys are written now ({@code writing}), appends
     * {@code lines}, keeps every other line (the operator's keys, other clusters, and the keys of this cluster's
     * other nodes when several share the machine and so the file).
     */
    private static void authorize(NodeOps n, String stanza, List<String> members, List<String> writing,
                                  String lines) {
        n.changeReading("authorize backup keys", List.of("sh", "-c", String.join("\n",
                "set -e",
                "home=$(getent passwd \"$(id -un)\" | cut -d: -f6)",
                "f=\"$home/.ssh/authorized_keys\"",
                "if [ -z \"$4\" ] && ! grep -q -s -F \" $1\" \"$f\"; then exit 0; fi",
                "mkdir -p \"$home/.ssh\" && chmod 700 \"$home/.ssh\"",
                "exec 9>\"$home/.ssh/.pgrds.lock\"",
                "flock -w 60 9",
                "touch \"$f\"",
                "tmp=\"$f.pgrds.$$\"",
                "awk -v m=\" $1\" -v keep=\"$2\" -v drop=\"$3\" '"
                        + "BEGIN { n = split(keep, k, \" \"); for (i = 1; i <= n; i++) member[k[i]] = 1; "
                        + "n = split(drop, d, \" \"); for (i = 1; i <= n; i++) writing[d[i]] = 1 } "
                        + "{ p = index($0, m); if (p == 0) { print; next } "
                        + "name = substr($0, p + length(m)); sub(/[ \\t].*$/, \"\", name); "
                        + "if ((name in member) && !(name in writing)) print }' \"$f\" > \"$tmp\"",
                "cat >> \"$tmp\"",
                "chmod 600 \"$tmp\"",
                "mv \"$tmp\" \"$f\""), "sh", marker(stanza), String.join(" ", members), String.join(" ", writing),
                lines.isEmpty() ? "" : "write"), lines.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code ,from="a,b"} when every node's host is an IP address (sshd does not resolve names by default). */
    static String from(List<String> hosts) {
        List<String> addresses = new ArrayList<>();
        for (String host : hosts) {
            if (!host.matches("[0-9.]+") && !host.contains(":")) {
                return "";
            }
            String a = ConfigFiles.address(host);
            if (!addresses.contains(a)) {
                addresses.add(a);
            }
        }
        return ",from=\"" + addresses.stream().collect(Collectors.joining(",")) + "\"";
    }

    static String wrapper(NodeSpec node) {
        String dir = directory(node);
        return "#!/bin/sh\n# Written by pgrds: pgBackRest's cmd-ssh for backups from a standby.\nexec ssh -i "
                + ShellQuote.quote(dir + "/id_ed25519") + " -o IdentitiesOnly=yes -o UserKnownHostsFile="
                + ShellQuote.quote(dir + "/known_hosts") + " -o StrictHostKeyChecking=yes -o BatchMode=yes \"$@\"\n";
    }
}
