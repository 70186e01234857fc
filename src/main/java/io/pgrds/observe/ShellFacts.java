package io.pgrds.observe;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Optional;

/**
 * What the probe script ({@code probe.sh}) printed: raw shell-side facts of one node, before they are
 * interpreted. {@code managementPassword} is a secret: it only ever lives in memory, to log in over SQL,
 * and {@link #toString()} never shows it. {@code sourceCatalog} is a restore source's {@code pgbackrest info} JSON,
 * read only when asked for and only on a node without data ({@code sourceCatalogError} when it failed).
 * {@code dataHidden} says why postgres cannot see whether the data directory exists (a symbolic link it cannot
 * follow, a directory on the way it cannot search); {@code answering} is true when, with no data directory to look at,
 * a server answers on the node's port or socket anyway. {@code systemd} is what {@code systemctl show} said of the
 * node's instance of {@code pgrds@.service} where systemd runs (absent where it does not: pg_ctl), {@code systemdError}
 * why systemd runs but {@code systemctl} did not answer.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record ShellFacts(boolean binaries, boolean dataExists, boolean dataReadable,
                  boolean dataEmpty, Optional<String> pgVersion, boolean standbySignal, boolean recoverySignal,
                  boolean running, Optional<String> controldata, Optional<String> autoConf, Optional<String> pgrdsConf,
                  Optional<String> standbyConf, boolean creating,
                  Optional<String> hbaSha256, Optional<String> confSha256, Optional<String> marker,
                  Optional<String> managementPassword, Optional<Long> memoryKb, Optional<Long> freeDiskKb,
                  boolean rebootRequired, Optional<String> backupConfigured, Optional<Integer> walReady,
                  Optional<Long> walKb, Optional<Long> walFsKb, Optional<Long> walFreeKb, Optional<String> walMount,
                  Optional<String> sourceCatalog, Optional<String> sourceCatalogError, Optional<String> dataHidden,
                  boolean answering, Optional<String> systemd, Optional<String> systemdError) {

    /** A line of pg_controldata's output, e.g. "Database system identifier". */
    Optional<String> control(String label) {
        return controldata.flatMap(text -> text.lines()
                .filter(l -> l.startsWith(label + ":"))
                .map(l -> l.substring(label.length() + 1).trim())
                .findFirst());
    }

    @Override
    public String toString() {
        return "ShellFacts[binaries=" + binaries + ", dataExists=" + dataExists + ", dataEmpty=" + dataEmpty
                + ", pgVersion=" + pgVersion + ", standbySignal=" + standbySignal + ", running=" + running
                + ", marker=" + marker.isPresent() + "]";
    }
}
