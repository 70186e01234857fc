package io.pgrds.observe;

import io.pgrds.desired.ClusterId;
import java.util.List;
import java.util.Optional;

/**
 * What pgrds keeps on each node it manages, beside (not inside) the data directory, so that the cluster
 * itself remembers what was last applied: no local state file that can be lost or diverge between
 * operators.
 *
 * @param cluster          the cluster this node belongs to
 * @param systemIdentifier the cluster's system identifier when the marker was written
 * @param deactivated      true once pgrds stopped the node because it was removed from the file
 * @param members          the cluster's membership as last applied, with enough detail to reach a node that
 *                         was since removed from the file
 * @param primary          the primary as last applied (the endpoint points at it)
 * @param appliedCommit    the commit of the last successful apply
 * @param failover         the failover that made the current primary while the file pins another node
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true) // a newer pgrds may add fields
public record Marker(ClusterId cluster, Optional<String> systemIdentifier, boolean deactivated,
                     List<Member> members, Optional<String> primary, Optional<String> appliedCommit,
                     @com.fasterxml.jackson.annotation.JsonInclude(
                             com.fasterxml.jackson.annotation.JsonInclude.Include.NON_ABSENT)
                     Optional<Failover> failover) {
    public Marker {
        members = List.copyOf(members);
        failover = failover == null ? Optional.empty() : failover;
    }

    public Marker(ClusterId cluster, Optional<String> systemIdentifier, boolean deactivated, List<Member> members,
                  Optional<String> primary, Optional<String> appliedCommit) {
        this(cluster, systemIdentifier, deactivated, members, primary, appliedCommit, Optional.empty());
    }

    /**
     * The last failover, while the primary it made is still the primary and the file still pins the node it
     * replaced: the pin is then a preference, and switching back is a person's decision.
     *
     * @param at   when (ISO-8601, UTC)
     * @param from the lost primary (the pinned node)
     * @param to   the standby promoted in its place
     * @param by   who promoted it ({@code pgrds-daemon@host}, or the person who applied)
     */
    public record Failover(String at, String from, String to, String by) {
    }

    /** One member as last applied. */
    public record Member(String name, String host, int sshPort, String sshUser, String dataDirectory, int port,
                         String binDir) {
    }
}
