package io.pgrds.apply;

import io.pgrds.plan.Action;

/** Each kind of action to the step that carries it out, by family. */
final class Steps implements Action.Visitor<Void> {
    private final ApplyContext ctx;
    private final CreateSteps create;
    private final HandoverSteps handover;
    private final StandbySteps standbys;
    private final ConfigureSteps configure;
    private final Roles roles;

    Steps(ApplyContext ctx) {
        this.ctx = ctx;
        this.roles = new Roles(ctx);
        this.create = new CreateSteps(ctx, roles);
        this.handover = new HandoverSteps(ctx);
        this.standbys = new StandbySteps(ctx);
        this.configure = new ConfigureSteps(ctx);
    }

    void perform(Action action) {
        action.accept(this);
    }

    @Override
    public Void initPrimary(Action.InitPrimary a) {
        create.initPrimary(a.node());
        return null;
    }

    @Override
    public Void restorePrimary(Action.RestorePrimary a) {
        create.restorePrimary(a);
        return null;
    }

    @Override
    public Void cloneStandby(Action.CloneStandby a) {
        standbys.cloneStandby(a.node(), a.from());
        return null;
    }

    @Override
    public Void startNode(Action.StartNode a) {
        handover.startNode(a.node());
        return null;
    }

    @Override
    public Void fence(Action.Fence a) {
        handover.fence(a);
        return null;
    }

    @Override
    public Void promote(Action.Promote a) {
        handover.promote(a);
        ctx.promoted = true;
        return null;
    }

    @Override
    public Void switchover(Action.Switchover a) {
        handover.switchover(a.from(), a.to());
        return null;
    }

    @Override
    public Void rejoin(Action.Rejoin a) {
        standbys.rejoin(a.node(), a.newPrimary());
        return null;
    }

    @Override
    public Void repoint(Action.Repoint a) {
        standbys.repoint(a.node(), a.to());
        return null;
    }

    @Override
    public Void deactivate(Action.Deactivate a) {
        standbys.deactivate(a.node());
        return null;
    }

    @Override
    public Void changeParameters(Action.ChangeParameters a) {
        configure.changeParameters(a);
        return null;
    }

    @Override
    public Void changeHba(Action.ChangeHba a) {
        configure.changeHba(a);
        return null;
    }

    @Override
    public Void ensureRoles(Action.EnsureRoles a) {
        roles.createRoles(ctx.ops(a.node()));
        return null;
    }

    @Override
    public Void configureBackup(Action.ConfigureBackup a) {
        configure.configureBackup(a);
        return null;
    }

    @Override
    public Void registerEndpoint(Action.RegisterEndpoint a) {
        configure.registerEndpoint(a.service(), a.primary());
        return null;
    }

    @Override
    public Void atBoot(Action.AtBoot a) {
        NodeOps n = ctx.ops(a.node());
        if (!n.underSystemd()) {
            throw new ApplyException(a.node() + ": the plan " + (a.enable() ? "enables" : "disables") + " "
                    + a.unit() + ", but systemd no longer runs it as observed now; plan again");
        }
        if (a.enable()) {
            n.enableAtBoot();
        } else {
            n.disableAtBoot();
        }
        return null;
    }
}
