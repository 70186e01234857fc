package io.pgrds.transport;

import io.pgrds.transport.target.SshSettings;
import io.pgrds.transport.target.Target;
import org.eclipse.jgit.internal.transport.ssh.OpenSshConfigFile;
import org.eclipse.jgit.transport.SshConfigStore;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The way to one node: the jump hosts, outermost first, then the node itself, each a {@link Hop} with everything
 * needed to connect and log in. The cluster files' settings win; what they leave unset comes from the SSH client
 * configuration ({@code ssh.configFile}, else {@code ~/.ssh/config}), read with JGit's OpenSSH configuration parser
 * as {@code ssh} reads it ({@code Host} patterns, first value wins, {@code %h}-style tokens and {@code ~}); then
 * pgrds's defaults. A jump host is looked up in the same configuration for its own name, user, port, keys and known
 * hosts; its own {@code ProxyJump} is not followed (the chain is the one the node names).
 */
final class SshRoute {
    private static final List<String> DEFAULT_KEYS = List.of("id_ed25519", "id_ecdsa", "id_rsa");

    /**
     * One SSH server on the way.
     *
     * @param shown          how messages name it: {@code user@host:port} as written (host before HostName)
     * @param hostName       what to connect to (the configuration's HostName, else the host)
     * @param identityFiles  key files to offer after the agent's keys; {@code explicitKeys} when named (cluster
     *                       file or IdentityFile), else the usual ones that exist
     * @param identitiesOnly only the named key files (and the agent's keys that match them), as IdentitiesOnly
     * @param acceptNew      StrictHostKeyChecking accept-new/no: unknown keys are recorded (a changed key is
     *                       refused regardless)
     */
    record Hop(String shown, String hostName, int port, String user, List<Path> identityFiles, boolean explicitKeys,
               boolean identitiesOnly, Path knownHosts, boolean acceptNew) {
    }

    private final List<Hop> hops;

    private SshRoute(List<Hop> hops) {
        this.hops = List.copyOf(hops);
    }

    /** The jump hosts, outermost first, then the node; never empty. */
    List<Hop> hops() {
        return hops;
    }

    Hop node() {
        return hops.get(hops.size() - 1);
    }

    List<Hop> jumps() {
        return hops.subList(0, hops.size() - 1);
    }

    /**
     * The route to {@code node}.
     *
     * @throws TransportException (LOCAL) for an unreadable configuration file, a malformed jump host or a loop
     */
    static SshRoute resolve(Target node, boolean acceptNewHostKeys) {
        SshSettings s = node.ssh();
        String where = s.user() + "@" + node.host() + ":" + s.port();
        SshConfigStore config = config(s, where);
        SshConfigStore.HostConfig nodeConfig = config.lookup(node.host(), 0, null);
        Hop target = hop(node.host(), s.configuredUser().orElse(null), s.configuredPort(), s.identityFile(),
                Optional.empty(), s.knownHostsFile(), nodeConfig, acceptNewHostKeys);

        List<String> jumpSpecs = s.jump().orElseGet(() -> proxyJump(nodeConfig, where));
        List<Hop> hops = new ArrayList<>();
        for (String spec : jumpSpecs) {
            JumpHost j = JumpHost.parse(spec, where);
            // as ssh -J: the jump host's own configuration, else the local user name; its keys from the
            // configuration, else the node's key file, else the usual ones
            SshConfigStore.HostConfig jumpConfig = config.lookup(j.host(), 0, null);
            String user = j.user().or(() -> Optional.ofNullable(jumpConfig.getValue("User")))
                    .orElse(System.getProperty("user.name"));
            hops.add(hop(j.host(), user, j.port(), Optional.empty(), s.identityFile(), s.knownHostsFile(),
                    jumpConfig, acceptNewHostKeys));
        }
        hops.add(target);
        Set<String> seen = new HashSet<>();
        for (Hop h : hops) {
            String key = h.hostName().toLowerCase(Locale.ROOT) + ":" + h.port();
            if (!seen.add(key)) {
                throw new TransportException(TransportException.Kind.LOCAL, "Unable to connect to " + where
                        + ": the way there passes " + h.hostName() + ":" + h.port() + " twice (" + describe(hops)
                        + "), a jump host loop. Fix ssh.jump in the cluster file or ProxyJump in " + configName(s)
                        + " so that each host appears once.", null);
            }
        }
        return new SshRoute(hops);
    }

    /** {@code a -> b -> node}, for messages. */
    static String describe(List<Hop> hops) {
        return String.join(" -> ", hops.stream().map(Hop::shown).toList());
    }

    /**
     * @param user             the user the cluster file (or jump host spec) names, or null for the configuration's
     * @param identity         the key file the cluster file names (wins over the configuration)
     * @param fallbackIdentity the key file to use when neither names one (before the usual ones)
     */
    private static Hop hop(String host, String user, java.util.OptionalInt port, Optional<String> identity,
                           Optional<String> fallbackIdentity, Optional<String> knownHosts,
                           SshConfigStore.HostConfig config, boolean acceptNew) {
        String hostName = Optional.ofNullable(config.getValue("HostName")).filter(v -> !v.isBlank()).orElse(host);
        String effectiveUser = Optional.ofNullable(user).or(() -> Optional.ofNullable(config.getValue("User")))
                .orElse(SshSettings.DEFAULT_USER);
        int effectivePort = port.isPresent() ? port.getAsInt()
                : Optional.ofNullable(config.getValue("Port")).map(SshRoute::portNumber).orElse(SshSettings.DEFAULT_PORT);
        List<Path> keys;
        boolean explicit;
        if (identity.isPresent()) {
            keys = List.of(expandHome(identity.get()));
            explicit = true;
        } else {
            List<String> configured = values(config, "IdentityFile");
            if (configured.isEmpty() && fallbackIdentity.isPresent()) {
                configured = List.of(fallbackIdentity.get());
            }
            explicit = !configured.isEmpty();
            keys = explicit ? configured.stream().map(SshRoute::expandHome).toList()
                    : DEFAULT_KEYS.stream().map(k -> userHome().resolve(".ssh").resolve(k))
                    .filter(Files::isReadable).toList();
        }
        boolean identitiesOnly = "yes".equalsIgnoreCase(config.getValue("IdentitiesOnly"));
        Path known = knownHosts.map(SshRoute::expandHome).orElseGet(() -> {
            List<String> files = values(config, "UserKnownHostsFile");
            return files.isEmpty() ? userHome().resolve(".ssh/known_hosts") : expandHome(files.get(0));
        });
        String strict = Optional.ofNullable(config.getValue("StrictHostKeyChecking")).orElse("")
                .toLowerCase(Locale.ROOT);
        boolean accept = acceptNew || strict.equals("accept-new") || strict.equals("no") || strict.equals("off");
        String shown = effectiveUser + "@" + host + ":" + effectivePort;
        return new Hop(shown, hostName, effectivePort, effectiveUser, keys, explicit, identitiesOnly, known, accept);
    }

    private static List<String> values(SshConfigStore.HostConfig config, String key) {
        List<String> v = config.getValues(key);
        return v == null ? List.of() : v.stream().filter(x -> !x.isBlank() && !x.equalsIgnoreCase("none")).toList();
    }

    private static List<String> proxyJump(SshConfigStore.HostConfig config, String where) {
        String value = config.getValue("ProxyJump");
        if (value == null || value.isBlank() || value.equalsIgnoreCase("none")) {
            return List.of();
        }
        List<String> specs = new ArrayList<>();
        for (String part : value.split(",")) {
            String spec = part.strip();
            if (spec.startsWith("ssh://")) {
                spec = spec.substring("ssh://".length());
            }
            specs.add(spec);
        }
        return specs;
    }

    private static SshConfigStore config(SshSettings s, String where) {
        Optional<Path> file = s.configFile().map(SshRoute::expandHome);
        if (file.isPresent() && !Files.isReadable(file.get())) {
            throw new TransportException(TransportException.Kind.LOCAL, "Unable to connect to " + where
                    + ": the SSH configuration " + file.get() + (Files.exists(file.get()) ? " is not readable"
                    : " does not exist") + ". Fix ssh.configFile in the cluster file or create the file.", null);
        }
        Path path = file.orElse(userHome().resolve(".ssh/config"));
        if (!Files.exists(path)) {
            return NO_CONFIG;
        }
        if (!Files.isReadable(path) || Files.isDirectory(path)) {
            throw new TransportException(TransportException.Kind.LOCAL, "Unable to connect to " + where
                    + ": the SSH configuration " + path + " is not a readable file. Fix its permissions (ssh"
                    + " reads it too), or point ssh.configFile at another file.", null);
        }
        refuseUnsupported(path, where);
        return new OpenSshConfigFile(userHome().toFile(), path.toFile(), System.getProperty("user.name"));
    }

    /**
     * JGit's parser knows {@code Host} blocks only: an {@code Include} would be skipped (its hosts not found) and the
     * lines under a {@code Match} merged into the block before it. Misreading how to reach a node is worse than
     * refusing, so both are refused with their line.
     */
    private static void refuseUnsupported(Path path, String where) {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            throw new TransportException(TransportException.Kind.LOCAL, "Unable to connect to " + where
                    + ": the SSH configuration " + path + " cannot be read (" + e.getMessage() + ").", e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String keyword = lines.get(i).strip().split("[\\s=]+", 2)[0].toLowerCase(Locale.ROOT);
            if (keyword.equals("include") || keyword.equals("match")) {
                throw new TransportException(TransportException.Kind.LOCAL, "Unable to connect to " + where
                        + ": the SSH configuration " + path + " uses " + (keyword.equals("include") ? "Include"
                        : "Match") + " at line " + (i + 1) + ", which pgrds does not read (only Host blocks). "
                        + "Point ssh.configFile at a file with Host blocks only, or set ssh.user, ssh.port and "
                        + "ssh.jump in the cluster file.", null);
            }
        }
    }

    private static String configName(SshSettings s) {
        return s.configFile().orElse("~/.ssh/config");
    }

    private static final SshConfigStore NO_CONFIG = new SshConfigStore() {
        @Override
        public HostConfig lookup(String hostName, int port, String userName) {
            return SshConfigStore.EMPTY_CONFIG;
        }

        @Override
        public HostConfig lookupDefault(String hostName, int port, String userName) {
            return SshConfigStore.EMPTY_CONFIG;
        }
    };

    private static int portNumber(String text) {
        try {
            int p = Integer.parseInt(text.strip());
            return p >= 1 && p <= 65535 ? p : SshSettings.DEFAULT_PORT;
        } catch (NumberFormatException e) {
            return SshSettings.DEFAULT_PORT;
        }
    }

    static Path userHome() {
        return Path.of(System.getProperty("user.home"));
    }

    /** {@code ~/x} as OpenSSH reads it: relative to the home directory of the user running pgrds. */
    static Path expandHome(String path) {
        if (path.equals("~")) {
            return userHome();
        }
        return path.startsWith("~/") ? userHome().resolve(path.substring(2)) : Path.of(path);
    }

    /** {@code [user@]host[:port]}, as {@code ssh -J} and ProxyJump take it. */
    record JumpHost(String host, Optional<String> user, java.util.OptionalInt port) {
        static JumpHost parse(String spec, String where) {
            String rest = spec.strip();
            Optional<String> user = Optional.empty();
            int at = rest.lastIndexOf('@');
            if (at >= 0) {
                user = Optional.of(rest.substring(0, at));
                rest = rest.substring(at + 1);
            }
            java.util.OptionalInt port = java.util.OptionalInt.empty();
            String host = rest;
            if (rest.startsWith("[")) {
                int close = rest.indexOf(']');
                if (close < 0) {
                    throw bad(spec, where);
                }
                host = rest.substring(1, close);
                String after = rest.substring(close + 1);
                if (!after.isEmpty()) {
                    if (!after.startsWith(":")) {
                        throw bad(spec, where);
                    }
                    port = java.util.OptionalInt.of(parsePort(after.substring(1), spec, where));
                }
            } else if (rest.indexOf(':') >= 0 && rest.indexOf(':') == rest.lastIndexOf(':')) {
                host = rest.substring(0, rest.indexOf(':'));
                port = java.util.OptionalInt.of(parsePort(rest.substring(rest.indexOf(':') + 1), spec, where));
            }
            if (host.isEmpty() || user.map(String::isEmpty).orElse(false)) {
                throw bad(spec, where);
            }
            return new JumpHost(host, user, port);
        }

        private static int parsePort(String text, String spec, String where) {
            try {
                int p = Integer.parseInt(text);
                if (p >= 1 && p <= 65535) {
                    return p;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw bad(spec, where);
        }

        private static TransportException bad(String spec, String where) {
            return new TransportException(TransportException.Kind.LOCAL, "Unable to connect to " + where
                    + ": the jump host \"" + spec + "\" is not [user@]host[:port]. Fix ssh.jump in the cluster file"
                    + " or ProxyJump in the SSH configuration.", null);
        }
    }
}
