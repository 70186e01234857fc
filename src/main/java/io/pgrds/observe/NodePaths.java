package io.pgrds.observe;

import io.pgrds.desired.NodeSpec;

/**
 * Every per-node path pgrds uses, derived from the node's own data directory, so that several nodes can
 * share one machine without sharing a file: {@code <dataDirectory>.pgrds/} holds the marker, the secrets,
 * the lock, the audit trail, the socket directory and the server log.
 */
public record NodePaths(String dataDirectory) {
    public static NodePaths of(NodeSpec node) {
        return new NodePaths(node.dataDirectory());
    }

    public String stateDirectory() {
        return dataDirectory.replaceAll("/+$", "") + ".pgrds";
    }

    public String marker() {
        return stateDirectory() + "/marker.json";
    }

    public String secrets() {
        return stateDirectory() + "/secrets";
    }

    public String socketDirectory() {
        return stateDirectory() + "/run";
    }

    public String lock() {
        return stateDirectory() + "/apply.lock";
    }

    public String audit() {
        return stateDirectory() + "/audit.jsonl";
    }

    public String serverLog() {
        return stateDirectory() + "/postgresql.log";
    }
}
