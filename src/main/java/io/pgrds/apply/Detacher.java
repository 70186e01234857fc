package io.pgrds.apply;

import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.NodeSpec;
import io.pgrds.plan.ConfigFiles;
import io.pgrds.transport.Sessions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Detaches standbys from a primary that was lost: each one's standby configuration loses its upstream and is
 * reloaded, so its WAL receiver stops and it acknowledges nothing more to anyone. With quorum durability, N−K+1
 * detached standbys keep the old primary from ever completing another commit; the most advanced of them holds every
 * commit it completed. The standbys stay standbys (in recovery, data kept); a plan repoints them afterwards.
 */
public final class Detacher {
    private final Sessions sessions;
    private final ApplyListener listener;

    public Detacher(Sessions sessions, ApplyListener listener) {
        this.sessions = sessions;
        this.listener = listener;
    }

    /**
     * Detaches the named standbys; returns those detached (a node that cannot be reached or refuses is left out,
     * and the caller counts). Written to the audit trail as {@code who} did it.
     */
    public List<String> detach(DesiredCluster c, List<String> standbys, String lostPrimary, String who, String host) {
        List<String> done = new ArrayList<>();
        List<Audit.Entry> entries = new ArrayList<>();
        for (String name : standbys) {
            NodeSpec spec = c.node(name).orElseThrow(() -> new ApplyException(name + " is not a node of " + c.id()));
            long t0 = System.nanoTime();
            try {
                NodeOps n = new NodeOps(sessions.shell(c.transport(), spec), spec, c.id(), listener, false);
                if (!n.query("select pg_is_in_recovery()").equals(List.of("t"))) {
                    throw new ApplyException(name + " is not in recovery");
                }
                n.write(spec.dataDirectory() + "/" + ConfigFiles.STANDBY_CONF, ConfigFiles.standbyConf(spec,
                        Optional.empty(), Secrets.passfile(n)), 0600);
                n.reload();
                done.add(name);
                listener.progress(c.id(), name, "detached from " + lostPrimary + " (no upstream; its WAL receiver "
                        + "stops)");
                entries.add(new Audit.Entry("detach " + name + " from the lost primary " + lostPrimary, "done",
                        (System.nanoTime() - t0) / 1_000_000, Optional.empty()));
            } catch (RuntimeException e) {
                listener.progress(c.id(), name, "could not be detached: " + e.getMessage());
                entries.add(new Audit.Entry("detach " + name + " from the lost primary " + lostPrimary, "failed",
                        (System.nanoTime() - t0) / 1_000_000, Optional.ofNullable(e.getMessage())));
            }
        }
        FaultPoint.reached(FaultPoint.FAILOVER_DETACHED);
        new AuditTrail(sessions, listener).append(c, new Audit(Instant.now().toString(), who, host, c.id().toString(), Optional.empty(), false, entries,
                done.size() == standbys.size() ? "ok" : "failed"));
        return done;
    }
}
