package io.pgrds.apply;

import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.observe.Lsn;
import io.pgrds.observe.NodeState;
import io.pgrds.observe.ObservedNode;
import io.pgrds.plan.Action;
import io.pgrds.plan.ConfigFiles;
import io.pgrds.transport.TransportException;
import io.pgrds.util.Sql;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The other members: cloned, rejoined, repointed, deactivated. */
final class StandbySteps {
    private final ApplyContext ctx;
    private final NodeConfig conf;
    private final Replication repl;

    StandbySteps(ApplyContext ctx, NodeConfig conf, Replication repl) {
        this.ctx = ctx;
        this.conf = conf;
        this.repl = repl;
    }

    void cloneStandby(String name, String from) {
        NodeOps source = ctx.ops(from);
        Secrets s = ctx.secrets(source);
        NodeOps n = ctx.ops(name);
        n.prepareDirectories();
        s.write(n);
        conf.copyFrom(n, source, "clone from " + from);
        conf.config(n, Optional.of(source.node())).endCreate().start().run();
        repl.waitStreaming(n, from);
    }

    void rejoin(String name, String newPrimary) {
        NodeOps n = ctx.ops(name);
        NodeOps p = ctx.ops(newPrimary);
        if (n.running()) {
            n.stop("fast");
        }
        FaultPoint.reached(FaultPoint.REJOIN_STOPPED);
        ctx.secrets(p).write(n);
        conf.rewind(n, p.node());
        n.start();
        repl.waitStreaming(n, newPrimary);
        ctx.deactivated.remove(name);
    }

    void repoint(String name, String to) {
        NodeOps n = ctx.ops(name);
        NodeOps p = ctx.ops(to);
        conf.writeStandbyConf(n, Optional.of(p.node()));
        if (n.running()) {
            n.reload();
        } else {
            n.start();
        }
        repl.waitStreaming(n, to);
    }

    void deactivate(String name) {
        NodeOps n = ctx.ops(name);
        if (n.running()) {
            n.stop("fast");
        }
        FaultPoint.reached(FaultPoint.DEACTIVATE_STOPPED);
        ctx.writeMarker(n, true);
        ctx.deactivated.add(name);
        if (ctx.primary.equals(Optional.of(name))) {
            ctx.primary = Optional.empty();
        }
    }
}
