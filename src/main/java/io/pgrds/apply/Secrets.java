package io.pgrds.apply;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The passwords pgrds generates for a cluster (admin, replicator, pgrds). Created once, when the cluster is
 * created, and kept on the cluster's own nodes ({@code <dataDirectory>.pgrds/secrets/}, mode 0600, owner
 * postgres), so any operator with SSH access can manage the cluster from any machine. Never logged, never
 * printed except the admin password once at creation and by {@code pgrds credentials}.
 */
final class Secrets {
    static final List<String> ROLES = List.of("admin", "pgrds", "replicator");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, String> passwords;

    private Secrets(Map<String, String> passwords) {
        this.passwords = new TreeMap<>(passwords);
    }

    static Secrets generate() {
        Map<String, String> p = new TreeMap<>();
        for (String role : ROLES) {
            byte[] b = new byte[24];
            RANDOM.nextBytes(b);
            p.put(role, Base64.getUrlEncoder().withoutPadding().encodeToString(b));
        }
        return new Secrets(p);
    }

    /**
     * Reads the secrets kept on a node, all in one round trip; empty when the node has none (or not all of them).
     * Each file's first line is the password.
     */
    static Optional<Secrets> read(NodeOps ops) {
        List<String> argv = new java.util.ArrayList<>(List.of("sh", "-c", "for r in " + String.join(" ", ROLES)
                + "; do f=\"$1/$r.password\"; [ -f \"$f\" ] || exit 3; printf '%s\\t' \"$r\"; "
                + "head -n 1 \"$f\" || exit 4; echo; done", "sh", ops.paths().secrets()));
        io.pgrds.transport.NodeShell.ExecResult r = ops.check(argv);
        if (r.exitCode() == 3) {
            return Optional.empty();
        }
        if (!r.ok()) {
            throw new ApplyException(ops.node().name() + ": cannot read the secrets in " + ops.paths().secrets()
                    + ": " + NodeOps.tail(r.stderr()));
        }
        Map<String, String> p = new TreeMap<>();
        r.stdout().lines().filter(l -> l.indexOf('\t') > 0).forEach(l -> p.putIfAbsent(l.substring(0,
                l.indexOf('\t')), l.substring(l.indexOf('\t') + 1).strip()));
        for (String role : ROLES) {
            if (p.getOrDefault(role, "").isBlank()) {
                return Optional.empty();
            }
        }
        return Optional.of(new Secrets(p));
    }

    void write(NodeOps ops) {
        for (String role : ROLES) {
            ops.writeSecret(file(ops, role), passwords.get(role) + "\n");
        }
        // libpq's password file for replication and pg_rewind from this node: host:port:database:user:password
        ops.writeSecret(passfile(ops), "*:*:*:replicator:" + passwords.get("replicator") + "\n*:*:*:pgrds:"
                + passwords.get("pgrds") + "\n");
    }

    String password(String role) {
        return passwords.get(role);
    }

    static String file(NodeOps ops, String role) {
        return ops.paths().secrets() + "/" + role + ".password";
    }

    static String passfile(NodeOps ops) {
        return ops.paths().secrets() + "/pgpass";
    }

    @Override
    public String toString() {
        return "Secrets[" + String.join(", ", passwords.keySet()) + "]";
    }
}
