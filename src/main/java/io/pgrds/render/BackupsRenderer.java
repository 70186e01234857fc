package io.pgrds.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgrds.desired.ClusterId;
import io.pgrds.observe.BackupCatalog;
import io.pgrds.util.Json;
import io.pgrds.util.Units;
import java.io.PrintWriter;
import java.io.StringWriter;

/** {@code pgrds backups}: a cluster's backups and the window they restore to, as a table or as JSON. */
public final class BackupsRenderer {
    private BackupsRenderer() {
    }

    public static String text(ClusterId id, BackupCatalog info) {
        StringWriter s = new StringWriter();
        PrintWriter out = new PrintWriter(s);
        out.println("pgrds backups — " + id + " (stanza " + info.stanza() + ", repository " + info.repository() + ": "
                + info.status() + ")");
        out.println();
        if (info.backups().isEmpty()) {
            out.println("No backup yet: pgrds backup " + id);
            out.flush();
            return s.toString();
        }
        String format = "  %-32s %-5s %-20s %-20s %10s %10s  %s%n";
        out.printf(format, "LABEL", "TYPE", "START", "STOP", "SIZE", "STORED", "WAL");
        for (BackupCatalog.Backup b : info.backups()) {
            out.printf(format, b.label(), b.type(), b.start().toString(), b.stop().toString(), Units.bytes(b.size()),
                    Units.bytes(b.repositorySize()), b.walStart() + " … " + b.walStop());
        }
        out.println();
        out.println("  restorable: from " + info.windowStart().map(Object::toString).orElse("-")
                + " to the latest archived WAL " + info.walMax().orElse("-"));
        out.flush();
        return s.toString();
    }

    public static String json(ClusterId id, BackupCatalog info) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("cluster", id.toString());
        o.put("stanza", info.stanza());
        o.put("repository", info.repository());
        o.put("status", info.status());
        ArrayNode list = o.putArray("backups");
        for (BackupCatalog.Backup b : info.backups()) {
            ObjectNode bo = list.addObject();
            bo.put("label", b.label());
            bo.put("type", b.type());
            bo.put("start", b.start().toString());
            bo.put("stop", b.stop().toString());
            bo.put("size", b.size());
            bo.put("repository_size", b.repositorySize());
            bo.put("wal_start", b.walStart());
            bo.put("wal_stop", b.walStop());
        }
        ObjectNode w = o.putObject("restorable");
        w.put("from", info.windowStart().map(Object::toString).orElse(null));
        w.put("to_wal", info.walMax().orElse(null));
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
