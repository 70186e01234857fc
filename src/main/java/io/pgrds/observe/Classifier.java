package io.pgrds.observe;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.pgrds.desired.ClusterId;
import io.pgrds.util.Json;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Interprets a node's raw shell facts: its state and the facts that follow from the files. Pure, so every
 * state can be tested with plain data.
 */
final class Classifier {
    private static final Pattern CONNINFO = Pattern.compile("^\\s*primary_conninfo\\s*=\\s*'((?:[^']|'')*)'",
            Pattern.MULTILINE);
    private static final Pattern HOST = Pattern.compile("(?:^|\\s)host=(\\S+)");
    private static final Pattern SETTING = Pattern.compile("^\\s*([A-Za-z_][A-Za-z0-9_.]*)\\s*=\\s*(.*?)\\s*$");

    private Classifier() {
    }

    /** The shell-side part of an observation (no SQL facts yet). */
    static ObservedNode classify(String name, String host, String dataDirectory, ClusterId cluster, int wantedVersion,
                                 ShellFacts f) {
        Optional<Marker> marker = Optional.empty();
        Optional<String> markerError = Optional.empty();
        if (f.marker().isPresent()) {
            try {
                marker = Optional.of(Json.mapper().readValue(f.marker().get(), Marker.class));
            } catch (JsonProcessingException e) {
                markerError = Optional.of("the pgrds marker on the node cannot be read (" + e.getOriginalMessage()
                        + ")");
            }
        }
        Optional<String> sysid = f.control("Database system identifier");
        Optional<Integer> timeline = f.control("Latest checkpoint's TimeLineID").flatMap(Classifier::integer);
        Optional<Integer> version = f.pgVersion().flatMap(Classifier::integer);
        Optional<String> upstream = upstream(f.standbyConf()).or(() -> upstream(f.pgrdsConf()))
                .or(() -> upstream(f.autoConf()));
        SortedMap<String, String> files = new TreeMap<>();
        f.hbaSha256().ifPresent(h -> files.put("pg_hba.conf", h));
        f.confSha256().ifPresent(h -> files.put("pgrds.conf", h));
        // the hash of the pgBackRest configuration with which the stanza was last created and checked
        f.backupConfigured().ifPresent(h -> files.put("pgbackrest.conf", h));
        SortedMap<String, String> parameters = parameters(f.pgrdsConf());
        Optional<Long> memory = f.memoryKb().map(k -> k * 1024);
        Optional<Long> disk = f.freeDiskKb().map(k -> k * 1024);
        Optional<WalFacts> wal = f.walReady().map(ready -> new WalFacts(ready, f.control("Bytes per WAL segment")
                .flatMap(Classifier::number).filter(b -> b > 0).orElse(WalFacts.DEFAULT_SEGMENT_BYTES),
                f.walKb().map(k -> k * 1024), f.walFsKb().map(k -> k * 1024), f.walFreeKb().map(k -> k * 1024),
                f.walMount()));

        Optional<Systemd> systemd = f.systemd().flatMap(show -> Systemd.parse(Systemd.unitFor(dataDirectory), show));
        NodeState state;
        Optional<String> error = Optional.empty();
        if (f.systemdError().isPresent() || f.systemd().isPresent() && systemd.isEmpty()) {
            // whether a reboot starts the server, and how to start and stop it, is not known: nothing is done there
            state = NodeState.UNKNOWN;
            error = Optional.of("systemd runs on the node, but pgrds could not read how its unit "
                    + Systemd.unitFor(dataDirectory) + " stands: " + f.systemdError().orElse("systemctl show printed "
                    + f.systemd().orElse("").strip()).strip());
        } else if (!f.binaries()) {
            state = NodeState.NO_POSTGRES;
            error = Optional.of("PostgreSQL " + wantedVersion + " binaries are missing");
        } else if (f.dataHidden().isPresent()) {
            // what cannot be seen is never taken for empty: a clone or initdb there could run beside a live server
            state = NodeState.UNKNOWN;
            error = Optional.of("the data directory cannot be seen: " + f.dataHidden().get().strip());
        } else if (f.dataExists() && !f.dataReadable()) {
            state = NodeState.UNKNOWN;
            error = Optional.of("the data directory exists but the postgres user cannot read it");
        } else if ((!f.dataExists() || f.dataEmpty() || (f.creating() && !f.running())) && f.answering()) {
            state = NodeState.UNKNOWN;
            error = Optional.of("a PostgreSQL server answers on this node's port while its data directory is "
                    + (!f.dataExists() ? "missing" : f.dataEmpty() ? "empty" : "only partly created")
                    + ": that server runs from somewhere else (a file system not mounted, a moved data directory, "
                    + "another server on the port)");
        } else if (!f.dataExists() || f.dataEmpty()) {
            state = NodeState.EMPTY;
        } else if (f.creating() && !f.running()) {
            // pgrds was creating this data directory (initdb, clone, restore) and was interrupted: the half-made
            // content is its own and the next create starts over
            state = NodeState.EMPTY;
            error = Optional.of("an interrupted create by pgrds left a partial data directory; it will be redone");
        } else if (version.isEmpty() || sysid.isEmpty()) {
            state = NodeState.UNKNOWN;
            error = Optional.of(version.isEmpty() ? "the data directory is not empty but has no PG_VERSION: not a "
                    + "PostgreSQL data directory" : "pg_controldata could not read the data directory");
        } else if (markerError.isPresent()) {
            state = NodeState.UNKNOWN;
            error = markerError;
        } else if (marker.isPresent() && !marker.get().cluster().equals(cluster)) {
            state = NodeState.FOREIGN;
            error = Optional.of("the data directory belongs to cluster " + marker.get().cluster());
        } else if (marker.isPresent() && marker.get().systemIdentifier().isPresent()
                && !marker.get().systemIdentifier().equals(sysid)) {
            state = NodeState.FOREIGN;
            error = Optional.of("system identifier " + sysid.get() + " differs from " + marker.get()
                    .systemIdentifier().get() + " that pgrds recorded for " + cluster);
        } else if (version.get() != wantedVersion) {
            state = NodeState.UNKNOWN;
            error = Optional.of("the data directory is PostgreSQL " + version.get() + ", the cluster wants "
                    + wantedVersion + " (major upgrades are not done by pgrds)");
        } else if (marker.isPresent() && marker.get().deactivated() && !f.running()) {
            state = NodeState.DEACTIVATED;
        } else if (f.standbySignal()) {
            state = NodeState.STANDBY;
        } else {
            state = NodeState.PRIMARY;
        }
        Optional<Lsn> checkpoint = f.control("Latest checkpoint location").flatMap(Classifier::lsn);
        return new ObservedNode(name, host, state, error, f.running(), version, sysid, timeline, upstream, marker,
                files, parameters, memory, disk, f.rebootRequired(), wal, Optional.empty(),
                f.control("Database cluster state"), checkpoint, Optional.empty(), systemd);
    }

    /** The host a standby streams from, from a primary_conninfo line. */
    static Optional<String> upstream(Optional<String> conf) {
        if (conf.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> last = Optional.empty();
        Matcher m = CONNINFO.matcher(conf.get());
        while (m.find()) { // the last one wins, as in PostgreSQL
            last = Optional.of(m.group(1).replace("''", "'"));
        }
        return last.flatMap(ci -> {
            Matcher h = HOST.matcher(ci);
            return h.find() ? Optional.of(h.group(1).replace("'", "")) : Optional.empty();
        });
    }

    /** The settings in pgrds's own file (name → value without quotes), comments skipped. */
    static SortedMap<String, String> parameters(Optional<String> conf) {
        SortedMap<String, String> out = new TreeMap<>();
        conf.ifPresent(text -> text.lines().forEach(line -> {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                return;
            }
            Matcher m = SETTING.matcher(l);
            if (m.matches()) {
                String v = m.group(2);
                int hash = v.indexOf(" #");
                if (hash >= 0 && !v.startsWith("'")) {
                    v = v.substring(0, hash).strip();
                }
                if (v.length() >= 2 && v.startsWith("'") && v.endsWith("'")) {
                    v = unquote(v);
                }
                out.put(m.group(1).toLowerCase(java.util.Locale.ROOT), v);
            }
        }));
        return out;
    }

    /**
     * A quoted postgresql.conf value read as PostgreSQL reads it: {@code ''} is a quote, a backslash escapes the next
     * character ({@code \\n} and the like stand for their control characters), so that a value pgrds wrote with
     * {@code ConfigFiles.confValue} reads back as exactly what it was.
     */
    static String unquote(String quoted) {
        StringBuilder b = new StringBuilder();
        int end = quoted.length() - 1;
        for (int i = 1; i < end; i++) {
            char c = quoted.charAt(i);
            if (c == '\'' && i + 1 < end && quoted.charAt(i + 1) == '\'') {
                b.append('\'');
                i++;
            } else if (c == '\\' && i + 1 < end) {
                char e = quoted.charAt(++i);
                b.append(switch (e) {
                    case 'b' -> '\b';
                    case 'f' -> '\f';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    default -> e;
                });
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static Optional<Lsn> lsn(String s) {
        return parsed(s, Lsn::parse);
    }

    private static Optional<Long> number(String s) {
        return parsed(s, Long::parseLong);
    }

    private static Optional<Integer> integer(String s) {
        return parsed(s, Integer::parseInt);
    }

    /** {@code s} (trimmed) parsed; empty when it does not parse: a fact the node reported garbled is no fact. */
    private static <T> Optional<T> parsed(String s, Function<String, T> parse) {
        try {
            return Optional.of(parse.apply(s.trim()));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
