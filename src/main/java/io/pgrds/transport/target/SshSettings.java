package io.pgrds.transport.target;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Effective SSH settings of one node (cluster {@code ssh.*} with the node's overrides applied). What the cluster
 * files leave unset, the SSH client configuration of the machine running pgrds ({@code ~/.ssh/config} or
 * {@link #configFile}) may set for the node's host, as {@code ssh} does; then pgrds's defaults apply (root, 22, the
 * usual keys, {@code ~/.ssh/known_hosts}, no jump host). Values set in the cluster files always win.
 *
 * @param configuredUser the login user the cluster files set; see {@link #user()}
 * @param configuredPort the SSH port the cluster files set; see {@link #port()}
 * @param identityFile   private key; empty means the SSH configuration's or the usual keys under {@code ~/.ssh}
 * @param knownHostsFile known hosts; empty means the SSH configuration's or {@code ~/.ssh/known_hosts}
 * @param jump           jump hosts ({@code [user@]host[:port]}, outermost first); empty means the SSH
 *                       configuration's {@code ProxyJump}, an empty list means none
 * @param configFile     the SSH client configuration to read; empty means {@code ~/.ssh/config} when it exists
 */
public record SshSettings(Optional<String> configuredUser, OptionalInt configuredPort, Optional<String> identityFile,
                          Optional<String> knownHostsFile, Become become, Optional<List<String>> jump,
                          Optional<String> configFile) {
    public static final String DEFAULT_USER = "root";
    public static final int DEFAULT_PORT = 22;

    public SshSettings {
        Objects.requireNonNull(configuredUser, "configuredUser");
        Objects.requireNonNull(configuredPort, "configuredPort");
        Objects.requireNonNull(identityFile, "identityFile");
        Objects.requireNonNull(knownHostsFile, "knownHostsFile");
        Objects.requireNonNull(jump, "jump");
        Objects.requireNonNull(configFile, "configFile");
        jump = jump.map(List::copyOf);
    }

    /** Settings that name user and port; jump hosts and the rest as the SSH configuration has them. */
    public SshSettings(String user, int port, Optional<String> identityFile, Optional<String> knownHostsFile,
                       Become become) {
        this(Optional.of(user), OptionalInt.of(port), identityFile, knownHostsFile, become, Optional.empty(),
                Optional.empty());
    }

    /** The login user as the cluster files have it, else {@value #DEFAULT_USER} (the SSH configuration may differ). */
    public String user() {
        return configuredUser.orElse(DEFAULT_USER);
    }

    /** The SSH port as the cluster files have it, else {@value #DEFAULT_PORT} (the SSH configuration may differ). */
    public int port() {
        return configuredPort.orElse(DEFAULT_PORT);
    }

    public SshSettings withJump(List<String> hops) {
        return new SshSettings(configuredUser, configuredPort, identityFile, knownHostsFile, become,
                Optional.of(hops), configFile);
    }

    public SshSettings withConfigFile(String file) {
        return new SshSettings(configuredUser, configuredPort, identityFile, knownHostsFile, become, jump,
                Optional.of(file));
    }
}
