package io.pgrds.apply;

/**
 * What every family of steps on nodes works with: the apply's context, the node configuration it writes, and
 * replication (streaming, the slots, the wait for a standby to catch up).
 */
abstract class NodeSteps {
    final ApplyContext ctx;
    final NodeConfig conf;
    final Replication repl;

    NodeSteps(ApplyContext ctx) {
        this.ctx = ctx;
        this.conf = new NodeConfig(ctx);
        this.repl = new Replication(ctx);
    }
}
