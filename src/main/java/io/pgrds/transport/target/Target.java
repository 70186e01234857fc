package io.pgrds.transport.target;

/**
 * What the transport needs to know of a node to reach it: its name (for messages), its host and how to log in.
 * The desired model's nodes are targets; the transport knows nothing else of the cluster files.
 */
public interface Target {
    String name();

    String host();

    SshSettings ssh();
}
