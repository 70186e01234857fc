package io.pgrds.apply;

import java.util.Optional;

/** The other members: cloned, rejoined, repointed, deactivated. */
final class StandbySteps extends NodeSteps {

    StandbySteps(ApplyContext ctx) {
        super(ctx);
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
