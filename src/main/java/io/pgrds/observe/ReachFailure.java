package io.pgrds.observe;

/**
 * On which side the cause of an UNREACHABLE node lies, which decides the advice: only a node that does not answer
 * at all may be down, and only then is fencing it the next step. Mirrors the transport's failure kinds without
 * depending on the transport (the planner reads it).
 */
public enum ReachFailure {
    /** On the machine running pgrds (no usable key, known_hosts, host key unknown or changed, name, routes). */
    LOCAL,
    /** The node's sshd answered and refused the key: the machine is up. */
    AUTHENTICATION,
    /** The machine refused the connection: it is up, its sshd is not listening. */
    REFUSED,
    /** No answer at all: the machine may be down or cut off. */
    SILENT,
    /** A connection broke or a command could not be run on it. */
    LOST,
    /** A jump host on the way failed: says nothing about the node. */
    JUMP;

    /** True when the node's machine was seen up (it answered), so it must never be taken for dead. */
    public boolean machineAnswered() {
        return this == AUTHENTICATION || this == REFUSED;
    }

    /** True when the cause is on the machine running pgrds or on the way (a jump host): nothing about the node. */
    public boolean local() {
        return this == LOCAL || this == JUMP;
    }
}
