package io.pgrds.transport.target;

import java.util.Optional;

/**
 * Effective SSH settings of one node (cluster {@code ssh.*} with the node's overrides applied).
 *
 * @param identityFile   private key; empty means the usual keys under {@code ~/.ssh}
 * @param knownHostsFile known hosts; empty means {@code ~/.ssh/known_hosts}
 */
public record SshSettings(String user, int port, Optional<String> identityFile, Optional<String> knownHostsFile,
                          Become become) {
}
