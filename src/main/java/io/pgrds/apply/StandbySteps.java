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
        // where systemd runs, disabled until it starts again as a standby (a stop disables first): a reboot in
        // between must not start a former primary as one
        if (n.running()) {
            n.stop("fast");
        } else {
            n.disableAtBoot();
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
        // where systemd runs, disabled whether it runs or not (a stop disables first): a removed node never comes
        // back by a reboot
        if (n.running()) {
            n.stop("fast");
        } else {
            n.disableAtBoot();
            n.stopUnit();
        }
        FaultPoint.reached(FaultPoint.DEACTIVATE_STOPPED);
        ctx.writeMarker(n, true);
        ctx.deactivated.add(name);
        if (ctx.primary.equals(Optional.of(name))) {
            ctx.primary = Optional.empty();
        }
    }
}
