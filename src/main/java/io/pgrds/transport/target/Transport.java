package io.pgrds.transport.target;

/** How pgrds reaches a node. */
public enum Transport {
    /** SSH with sshj (the normal case). */
    SSH,
    /** This machine, without SSH (the demo and single-host use). */
    LOCAL
}
