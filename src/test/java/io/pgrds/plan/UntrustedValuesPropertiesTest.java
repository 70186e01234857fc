package io.pgrds.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.pgrds.desired.ClusterId;
import io.pgrds.desired.DesiredCluster;
import io.pgrds.desired.HbaRule;
import io.pgrds.desired.NodeSpec;
import io.pgrds.desired.load.FleetLoader;
import io.pgrds.desired.load.Problem;
import io.pgrds.observe.NodePaths;
import io.pgrds.source.GitSource;
import io.pgrds.testing.FleetRepo;
import io.pgrds.util.ShellQuote;
import io.pgrds.util.Sql;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Invariant I4, as a property: random hostile text (quotes, {@code $(…)}, backticks, {@code ; | &}, line breaks, NUL,
 * tabs, backslashes, right-to-left overrides, emoji, very long strings, and near-legal paths and names) goes into a
 * few string fields of a cluster file, written as YAML by Jackson (so the YAML quoting is right), committed to a
 * real git repository and loaded by the real loader. Then either validate refuses it, every problem located
 * ({@code file:line:column}, a code, one line), or every artefact rendered from it is inert: pgrds.conf and the
 * standby file parse back to exactly the intended settings, pg_hba.conf has one line per rule with exactly its
 * fields, pgBackRest's ini file holds exactly the repository's settings, archive_command and every argv read back
 * as the same words, and the paths pg_ctl puts in its own double-quoted shell command hold nothing a shell reads.
 */
class UntrustedValuesPropertiesTest {
    static final ClusterId TARGET = new ClusterId("orderdata", "integration");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static final AtomicInteger ACCEPTED = new AtomicInteger();
    static final AtomicInteger REJECTED = new AtomicInteger();
    static final Map<String, Integer> CODES = new ConcurrentSkipListMap<>();
    static final Map<String, Integer> ACCEPTED_FIELDS = new ConcurrentSkipListMap<>();
    static Path root;
    static FleetRepo repo;
    static ObjectId first;

    /**
     * One repository for every case: the source cluster in the first commit, and each case's cluster file in a
     * commit of its own on top of it, which the branch then points at: the loader reads a real commit, and the
     * history stays two commits long.
     */
    @BeforeContainer
    static void repositories() throws IOException {
        root = Files.createTempDirectory("pgrds-untrusted-");
        repo = new FleetRepo(root.resolve("fleet"));
        first = ObjectId.fromString(repo.commit("orderdata/production", yaml(source())));
    }

    @AfterContainer
    static void report() throws IOException {
        System.out.printf("untrusted values: %d cases, %d rejected by validate (every problem located), %d accepted "
                + "(every artefact inert)%n  problems by code: %s%n  accepted hostile values by field: %s%n",
                ACCEPTED.get() + REJECTED.get(), REJECTED.get(), ACCEPTED.get(), CODES, ACCEPTED_FIELDS);
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Property(tries = 800)
    void hostileTextIsRefusedWhereItWasWrittenOrReachesEveryFileAndCommandInert(@ForAll long seed) {
        Random r = new Random(seed);
        Map<String, Object> doc = cluster();
        int count = r.nextInt(3) == 0 ? 2 : 1;
        List<String> fields = new ArrayList<>();
        List<String> names = new ArrayList<>(FIELDS.keySet());
        for (int i = 0; i < count; i++) {
            String field = names.get(r.nextInt(names.size()));
            set(doc, field, r.nextBoolean() ? hostile(r) : plausible(FIELDS.get(field), r), r);
            fields.add(field);
        }
        commit(yaml(doc));
        FleetLoader.Result result = FleetLoader.load(GitSource.read(repo.dir().toString(), "HEAD", null));
        Optional<DesiredCluster> loaded = result.fleet().cluster(TARGET);
        if (!result.problems().isEmpty()) {
            REJECTED.incrementAndGet();
            assertTrue(loaded.isEmpty(), "a cluster with problems is never planned");
            for (Problem p : result.problems()) {
                CODES.merge(p.code().name(), 1, Integer::sum);
                assertEquals("clusters/" + TARGET + ".yaml", p.file(), p.toString());
                assertTrue(p.line() > 0 && p.column() > 0, "located: " + p);
                assertFalse(p.pointer().isEmpty(), p.toString());
                assertTrue(io.pgrds.util.Texts.firstControl(p.toString()).isEmpty(), "one line: " + p);
            }
            return;
        }
        ACCEPTED.incrementAndGet();
        fields.forEach(f -> ACCEPTED_FIELDS.merge(f, 1, Integer::sum));
        inert(loaded.orElseThrow(() -> new AssertionError("no problem, yet no cluster " + TARGET)));
    }

    // ---- the artefacts ----

    static void inert(DesiredCluster c) {
        List<HbaRule> rules = c.postgres().hba();
        List<String> hba = ConfigFiles.hba(c).lines().toList();
        long hosts = c.nodes().stream().map(n -> ConfigFiles.address(n.host())).distinct().count();
        assertEquals(3 + 4 + 1 + 2 * hosts + 1 + rules.size(), hba.size(), "one line per rule:\n" + String.join("\n",
                hba));
        for (int i = 0; i < rules.size(); i++) {
            HbaRule rule = rules.get(i);
            List<String> want = new ArrayList<>(List.of(rule.type(), rule.database(), rule.user()));
            rule.address().ifPresent(want::add);
            want.add(rule.method());
            assertEquals(want, hbaFields(hba.get(hba.size() - rules.size() + i)));
        }
        for (NodeSpec n : c.nodes()) {
            SortedMap<String, String> wanted = ConfigFiles.nodeParameters(c, n);
            assertEquals(wanted, confSettings(ConfigFiles.postgresqlConf(c, n)));
            c.backup().ifPresent(b -> {
                Map<String, Map<String, String>> ini = ini(ConfigFiles.pgbackrestConf(c, n));
                b.repository().pgbackrestSettings().forEach((k, v) -> assertEquals(v, ini.get("global").get(k), k));
                assertEquals(n.dataDirectory(), ini.get(c.id().slug()).get("pg1-path"));
                List<String> argv = new ArrayList<>(List.of("pgbackrest"));
                argv.addAll(ConfigFiles.pgbackrestOptions(n, b.repository()));
                argv.addAll(List.of("--stanza=" + c.id().slug(), "archive-push", "pg_wal/000000010000000000000001"));
                assertEquals(argv, shellWords(ConfigFilesTest.substitute(wanted.get("archive_command"),
                        "pg_wal/000000010000000000000001")));
            });
            NodeSpec upstream = c.nodes().stream().filter(o -> o != n).findFirst().orElse(n);
            String passfile = NodePaths.of(n).secrets() + "/pgpass";
            Map<String, String> ci = new LinkedHashMap<>();
            ci.put("host", upstream.host());
            ci.put("port", Integer.toString(upstream.port()));
            ci.put("user", "replicator");
            ci.put("passfile", passfile);
            ci.put("application_name", n.name());
            assertEquals(ci, conninfo(confSettings(ConfigFiles.standbyConf(n, Optional.of(upstream), passfile))
                    .get("primary_conninfo")));
            NodePaths paths = NodePaths.of(n);
            for (List<String> argv : List.of(
                    List.of(n.binDir() + "/pg_ctl", "start", "-D", n.dataDirectory(), "-l", paths.serverLog()),
                    List.of("sh", "-s", "--", n.dataDirectory(), n.binDir(), paths.socketDirectory()),
                    List.of(n.binDir() + "/psql", "-h", paths.socketDirectory(), "-p", Integer.toString(n.port())))) {
                assertEquals(argv, shellWords(ShellQuote.join(argv)));
                assertEquals(argv, shellWords(ShellQuote.display(argv)));
            }
            // pg_ctl writes -D, -l and its own path into a shell command of its own, in double quotes
            for (String path : List.of(n.dataDirectory(), paths.serverLog(), n.binDir())) {
                assertTrue(path.chars().noneMatch(ch -> "\"$`\\".indexOf(ch) >= 0), path);
            }
            assertEquals(n.name(), sqlString(Sql.literal(n.name())));
        }
        c.service().flatMap(s -> s.hook()).ifPresent(h -> assertEquals(List.of(h), shellWords(ShellQuote.join(
                List.of(h)))));
    }

    // ---- readers, each as the program that reads the file does ----

    /** postgresql.conf as PostgreSQL's lexer reads it: name = value, a quoted value with '' and \ escapes. */
    static SortedMap<String, String> confSettings(String text) {
        SortedMap<String, String> out = new TreeMap<>();
        Pattern setting = Pattern.compile("([A-Za-z_][A-Za-z0-9_.]*)\\s*=\\s*(.*)");
        for (String line : text.split("\n", -1)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            Matcher m = setting.matcher(l);
            assertTrue(m.matches(), "not a setting: " + line);
            String v = m.group(2);
            assertTrue(v.startsWith("'"), "pgrds quotes every value: " + line);
            StringBuilder b = new StringBuilder();
            int i = 1;
            while (true) {
                assertTrue(i < v.length(), "unterminated value: " + line);
                char c = v.charAt(i);
                if (c == '\'') {
                    if (i + 1 < v.length() && v.charAt(i + 1) == '\'') {
                        b.append('\'');
                        i += 2;
                        continue;
                    }
                    break;
                }
                if (c == '\\') {
                    char e = v.charAt(++i);
                    switch (e) {
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case 'n' -> b.append('\n');
                        case 'r' -> b.append('\r');
                        case 't' -> b.append('\t');
                        default -> {
                            assertFalse(e >= '0' && e <= '7', "an octal escape pgrds never writes: " + line);
                            b.append(e);
                        }
                    }
                    i++;
                    continue;
                }
                b.append(c);
                i++;
            }
            String rest = v.substring(i + 1).strip();
            assertTrue(rest.isEmpty(), "text after the value: " + line);
            assertFalse(out.containsKey(m.group(1)), "set twice: " + m.group(1));
            out.put(m.group(1), b.toString());
        }
        return out;
    }

    /** A pg_hba.conf line's fields as PostgreSQL's tokenizer splits them (quotes kept, a # outside them ends it). */
    static List<String> hbaFields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (!quoted && c == '#') {
                break;
            }
            if (!quoted && (c == ' ' || c == '\t')) {
                if (field.length() > 0) {
                    out.add(field.toString());
                    field.setLength(0);
                }
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            }
            field.append(c);
        }
        if (field.length() > 0) {
            out.add(field.toString());
        }
        return out;
    }

    /** pgBackRest's ini file: sections of key=value lines, nothing else. */
    static Map<String, Map<String, String>> ini(String text) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        String section = null;
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                section = line.substring(1, line.length() - 1);
                assertFalse(out.containsKey(section), "section twice: " + section);
                out.put(section, new LinkedHashMap<>());
                continue;
            }
            int eq = line.indexOf('=');
            assertTrue(section != null && eq > 0, "not an ini line: " + line);
            assertFalse(out.get(section).containsKey(line.substring(0, eq)), "set twice: " + line);
            out.get(section).put(line.substring(0, eq), line.substring(eq + 1));
        }
        return out;
    }

    /** A libpq connection string as libpq parses it. */
    static Map<String, String> conninfo(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        while (true) {
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i == text.length()) {
                return out;
            }
            int eq = text.indexOf('=', i);
            assertTrue(eq > i, "no keyword at " + i + ": " + text);
            String key = text.substring(i, eq);
            assertTrue(key.matches("[a-z_]+"), key);
            i = eq + 1;
            StringBuilder v = new StringBuilder();
            if (i < text.length() && text.charAt(i) == '\'') {
                i++;
                while (true) {
                    assertTrue(i < text.length(), "unterminated: " + text);
                    char c = text.charAt(i++);
                    if (c == '\\') {
                        v.append(text.charAt(i++));
                    } else if (c == '\'') {
                        break;
                    } else {
                        v.append(c);
                    }
                }
            } else {
                while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
                    char c = text.charAt(i++);
                    v.append(c == '\\' ? text.charAt(i++) : c);
                }
            }
            assertFalse(out.containsKey(key), "set twice: " + key);
            out.put(key, v.toString());
        }
    }

    /**
     * The words sh makes of a command line in the forms ShellQuote writes: words separated by single spaces, text
     * in single quotes as it is, {@code \'} a quote, anything else only from characters no shell gives a meaning.
     */
    static List<String> shellWords(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == ' ') {
                assertTrue(inWord, "two spaces in a row: " + line);
                out.add(w.toString());
                w.setLength(0);
                inWord = false;
                continue;
            }
            inWord = true;
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                assertTrue(end > i, "unterminated quote: " + line);
                w.append(line, i + 1, end);
                i = end;
            } else if (c == '\\') {
                assertEquals('\'', line.charAt(i + 1), "ShellQuote escapes only a quote: " + line);
                w.append('\'');
                i++;
            } else {
                assertTrue(String.valueOf(c).matches("[A-Za-z0-9_@%+=:,./-]"), "unquoted " + c + " in: " + line);
                w.append(c);
            }
        }
        assertTrue(inWord, "an empty command or a trailing space: " + line);
        out.add(w.toString());
        return out;
    }

    /** An SQL string literal, standard_conforming_strings on. */
    static String sqlString(String literal) {
        assertTrue(literal.length() >= 2 && literal.startsWith("'") && literal.endsWith("'"), literal);
        String inner = literal.substring(1, literal.length() - 1);
        assertFalse(inner.replace("''", "").contains("'"), "a lone quote ends the string: " + literal);
        return inner.replace("''", "'");
    }

    // ---- the cluster files ----

    /** What a field holds, for {@link #plausible}: text that may pass validation and still be hostile. */
    enum Kind { WORD, PATH, LOCAL_PATH, TEXT, DATABASE, USER, ADDRESS, HOST, TIME }

    /** Every string field a cluster file has, by path; {@code parameters.*} adds a parameter with that name. */
    static final Map<String, Kind> FIELDS = new LinkedHashMap<>();

    static {
        for (String f : List.of("transport", "ssh.become", "nodes.0.ssh.become", "postgres.hba.0.type",
                "postgres.hba.0.method", "repositories.offsite.type", "repositories.offsite.uriStyle",
                "reconcile.policy", "backup.repository", "bootstrap.restore.from", "bootstrap.restore.target",
                "bootstrap.restore.target.lsn", "ssh.user", "nodes.0.ssh.user", "repositories.offsite.bucket",
                "repositories.offsite.region", "postgres.parameters.*", "backup.schedule", "backup.schedule.full")) {
            FIELDS.put(f, Kind.WORD);
        }
        for (String f : List.of("postgres.binDir", "postgres.dataDirectory", "nodes.0.postgres.dataDirectory",
                "nodes.0.postgres.binDir", "repositories.main.path", "repositories.offsite.path",
                "repositories.offsite.credentialsFile", "repositories.offsite.caFile", "service.hook", "fence.hook")) {
            FIELDS.put(f, Kind.PATH);
        }
        for (String f : List.of("ssh.identityFile", "ssh.knownHostsFile", "nodes.0.ssh.identityFile",
                "nodes.0.ssh.knownHostsFile")) {
            FIELDS.put(f, Kind.LOCAL_PATH);
        }
        for (String f : List.of("postgres.parameters.application_name", "postgres.parameters.search_path",
                "bootstrap.restore.target.name")) {
            FIELDS.put(f, Kind.TEXT);
        }
        FIELDS.put("postgres.hba.0.database", Kind.DATABASE);
        FIELDS.put("postgres.hba.1.database", Kind.DATABASE);
        FIELDS.put("postgres.hba.0.user", Kind.USER);
        FIELDS.put("postgres.hba.1.user", Kind.USER);
        FIELDS.put("postgres.hba.0.address", Kind.ADDRESS);
        FIELDS.put("postgres.hba.1.address", Kind.ADDRESS);
        for (String f : List.of("nodes.0.host", "nodes.0.name", "nodes.1.host", "nodes.1.name", "primary",
                "service.name", "repositories.offsite.endpoint")) {
            FIELDS.put(f, Kind.HOST);
        }
        FIELDS.put("bootstrap.restore.target.time", Kind.TIME);
    }

    static Map<String, Object> cluster() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("transport", "ssh");
        d.put("ssh", map("user", "pgrds", "port", 22, "identityFile", "/home/pgrds/.ssh/id_ed25519",
                "knownHostsFile", "~/.ssh/known_hosts", "become", "sudo"));
        Map<String, Object> parameters = map("application_name", "app", "work_mem", "64MB", "search_path",
                "'$user', public", "jit", false, "random_page_cost", 1.1);
        List<Object> hba = new ArrayList<>(List.of(
                map("type", "host", "database", "app", "user", "app", "address", "10.0.0.0/8", "method",
                        "scram-sha-256"),
                map("type", "local", "database", "all", "user", "all", "method", "peer")));
        d.put("postgres", map("version", 15, "binDir", "/usr/lib/postgresql/{version}/bin", "dataDirectory",
                "/var/lib/pgrds/{team}-{stage}/data", "port", 5432, "parameters", parameters, "hba", hba));
        d.put("nodes", new ArrayList<>(List.of(
                map("host", "10.0.0.1", "name", "pg1", "ssh", map("user", "ops", "identityFile", "/etc/pgrds/id",
                        "knownHostsFile", "/etc/pgrds/known_hosts", "become", "runuser"), "postgres",
                        map("dataDirectory", "/srv/pg1/data", "binDir", "/usr/lib/postgresql/15/bin")),
                map("host", "db2.example.com", "name", "pg2"))));
        d.put("primary", "pg1");
        d.put("bootstrap", map("restore", map("from", "orderdata/production", "target",
                map("time", "2026-11-27 03:00:00+00"))));
        d.put("repositories", map(
                "main", map("type", "posix", "path", "/var/lib/pgbackrest"),
                "offsite", map("type", "s3", "bucket", "pg-backups", "endpoint", "s3.example.com:9000", "region",
                        "eu-central-1", "path", "/pgbackrest", "credentialsFile", "/etc/pgrds/s3.conf", "caFile",
                        "/etc/pgrds/ca.pem", "uriStyle", "path")));
        d.put("backup", map("repository", "offsite", "schedule", map("full", "0 0 3 ? * SUN", "diff",
                "0 0 3 ? * MON-SAT"), "fromStandby", true));
        d.put("service", map("name", "orders.example.com", "hook", "/usr/local/bin/register-dns"));
        d.put("fence", map("hook", "/usr/local/sbin/fence-node"));
        d.put("reconcile", map("policy", "safe"));
        return d;
    }

    /** The cluster the target restores from. */
    static Map<String, Object> source() {
        return map("nodes", List.of(map("host", "10.9.0.1")), "repositories", map("main", map("type", "posix",
                "path", "/var/lib/pgbackrest")), "backup", map("repository", "main"));
    }

    @SuppressWarnings("unchecked")
    static void set(Map<String, Object> doc, String field, String value, Random r) {
        String[] path = field.split("\\.");
        Object at = doc;
        for (int i = 0; i < path.length - 1; i++) {
            Object next = at instanceof List<?> l ? l.get(Integer.parseInt(path[i])) : ((Map<String, Object>) at)
                    .get(path[i]);
            if (field.startsWith("bootstrap.restore.target.") && path[i].equals("target")) {
                // a target is a choice of one key: the new one replaces it
                ((Map<String, Object>) at).put("target", map(path[path.length - 1], value));
                return;
            }
            if (next instanceof Map<?, ?> || next instanceof List<?>) {
                at = next;
            } else {
                Map<String, Object> created = new LinkedHashMap<>();
                ((Map<String, Object>) at).put(path[i], created);
                at = created;
            }
        }
        String last = path[path.length - 1];
        if (last.equals("*")) {
            ((Map<String, Object>) at).put(value, r.nextBoolean() ? "on" : value);
        } else if (at instanceof List<?> l) {
            ((List<Object>) l).set(Integer.parseInt(last), value);
        } else {
            ((Map<String, Object>) at).put(last, value);
        }
    }

    // ---- hostile text ----

    static final List<String> PIECES = List.of("'", "\"", "$(touch /tmp/pwned-prop)", "`id`", ";", "|", "&", "\n",
            "\r", "\0", "\t", "\\", "%p", "%", "#", " ", ",", "=", "{team}", "{version}", "{nope}", "..", "//", "/",
            "\u202e", "🐘", "\u2028", "\u0085", "é", "漢字", "+", "@", "-", ".", "_", "x", "a1", "all", "host",
            "0.0.0.0/0", "trust", "${HOME}", "*", "?", "~", "!", "[", "]", "(", ")", "<", ">", "\u0007", "\u001b[2J",
            "\u00a0", "\ufeff", "\\n", "''", "\\'", "--", "-oProxyCommand=x", "::1", "/128", "Z", "+01:00");
    static final String PATH_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+@-";

    static String hostile(Random r) {
        switch (r.nextInt(10)) {
            case 0, 1, 2: { // junk
                StringBuilder b = new StringBuilder();
                int n = r.nextInt(8);
                for (int i = 0; i < n; i++) {
                    b.append(PIECES.get(r.nextInt(PIECES.size())));
                }
                return b.toString();
            }
            case 3, 4: { // a path, maybe with something inside
                StringBuilder b = new StringBuilder(r.nextInt(8) == 0 ? "~" : "");
                int segments = 1 + r.nextInt(4);
                for (int i = 0; i < segments; i++) {
                    b.append('/').append(word(r, PATH_CHARS, 1 + r.nextInt(12)));
                    if (r.nextInt(6) == 0) {
                        b.append(PIECES.get(r.nextInt(PIECES.size())));
                    }
                }
                return b.toString();
            }
            case 5: { // a name, a host, a list
                String w = word(r, PATH_CHARS.replace("+", "").replace("@", ""), 1 + r.nextInt(20));
                return switch (r.nextInt(4)) {
                    case 0 -> w;
                    case 1 -> "\"" + w + PIECES.get(r.nextInt(PIECES.size())) + w + "\"";
                    case 2 -> "+" + w + "," + w;
                    default -> w + "." + w;
                };
            }
            case 6: { // free text with quotes, backslashes and what a shell or SQL would read
                StringBuilder b = new StringBuilder("it's a \\ test");
                for (int i = 0; i < 3; i++) {
                    String p = PIECES.get(r.nextInt(PIECES.size()));
                    if (r.nextInt(3) > 0 && !p.isEmpty() && p.chars().allMatch(c -> c >= 0x20 && c != 0x7f
                            && (c < 0x80 || c > 0x9f) && c != 0x2028)) {
                        b.append(p);
                    }
                }
                return b.toString();
            }
            case 7: // very long
                return (r.nextBoolean() ? "/" : "") + "a".repeat(150 + r.nextInt(5000));
            case 8: // addresses and times
                return List.of("10.0.0.0/8", "10.0.0.1", "::1/128", "fd00::/8", ".example.com", "samenet",
                        "2026-11-27 03:00:00+00", "2026-11-27T03:00:00.5Z", "0/5000060", "latest", "0 0 3 * * ?",
                        "orderdata/production", "pg1", "db2.example.com").get(r.nextInt(14))
                        + (r.nextBoolean() ? "" : PIECES.get(r.nextInt(PIECES.size())));
            default:
                return "";
        }
    }

    /** Text shaped for the field, odd but perhaps valid: what must then be inert. */
    static String plausible(Kind kind, Random r) {
        String text = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        return switch (kind) {
            case WORD -> word(r, text + "-_.", 1 + r.nextInt(12));
            case PATH, LOCAL_PATH -> {
                StringBuilder b = new StringBuilder(kind == Kind.LOCAL_PATH && r.nextBoolean() ? "~" : "");
                int segments = 1 + r.nextInt(5);
                for (int i = 0; i < segments; i++) {
                    b.append('/').append(r.nextInt(4) == 0 ? List.of("...", "-rf", "@x", "+", "--", "{team}",
                            "{version}", "a.b", ".hidden", "x@y+z").get(r.nextInt(10)) : word(r, PATH_CHARS,
                            1 + r.nextInt(12)));
                }
                yield b.toString();
            }
            case TEXT -> {
                StringBuilder b = new StringBuilder();
                int n = r.nextInt(6);
                for (int i = 0; i < n; i++) {
                    b.append(PRINTABLE.get(r.nextInt(PRINTABLE.size())));
                }
                yield r.nextInt(10) == 0 ? b.toString().repeat(1 + r.nextInt(300)) : b.toString();
            }
            case DATABASE, USER -> {
                List<String> items = new ArrayList<>();
                int n = 1 + r.nextInt(3);
                for (int i = 0; i < n; i++) {
                    items.add(switch (r.nextInt(4)) {
                        case 0 -> word(r, text + "_.-", 1 + r.nextInt(20));
                        case 1 -> (kind == Kind.USER ? "+" : "") + word(r, text, 1 + r.nextInt(10));
                        default -> "\"" + (PRINTABLE.get(r.nextInt(PRINTABLE.size())) + word(r, text, 3)
                                + PRINTABLE.get(r.nextInt(PRINTABLE.size()))).replace("\"", "") + "\"";
                    });
                }
                yield String.join(",", items);
            }
            case ADDRESS -> List.of("10.0.0.0/8", "0.0.0.0/0", "192.168.1.7/32", "::1/128", "fd00::/8",
                    "::ffff:10.0.0.1/128", ".example.com", "db.example.com", "all", "samehost", "samenet")
                    .get(r.nextInt(11));
            case HOST -> List.of("pg1", "pg2", "10.0.0.9", "::1", "db-3.example.com", "x_y", "a" + "b".repeat(62),
                    "h.example.com:9443", word(r, text + "-._", 1 + r.nextInt(30))).get(r.nextInt(9));
            case TIME -> List.of("2026-11-27 03:00:00+00", "2026-11-27T03:00:00.5Z", "2026-11-27 03:00:00",
                    "2026-11-27 03:00:00 Europe/Berlin", "2026-11-27 03:00:00+01:00").get(r.nextInt(5));
        };
    }

    /** Printable text a shell, SQL or a configuration file would give a meaning to, and some that no one should. */
    static final List<String> PRINTABLE = List.of("'", "\"", "$(touch /tmp/pwned-prop)", "`id`", ";", "|", "&",
            "\\", "%p", "%", "#", " ", ",", "=", "{team}", "\u202e", "🐘", "é", "漢字", "\u00a0", "\ufeff", "\\n",
            "''", "\\'", "--", "${HOME}", "*", "?", "~", "!", "a", "B", "0", "/*", "*/", "$$", "E'", "\\x41");

    /** Commits the case's cluster file beside the source's, on top of the first commit, and moves the branch there. */
    static void commit(String yaml) {
        try (Repository db = Git.open(repo.dir().toFile()).getRepository();
             ObjectInserter in = db.newObjectInserter();
             TreeWalk source = TreeWalk.forPath(db, "clusters/orderdata/production.yaml",
                     db.parseCommit(first).getTree())) {
            TreeFormatter team = new TreeFormatter();
            team.append("integration.yaml", FileMode.REGULAR_FILE, in.insert(Constants.OBJ_BLOB,
                    yaml.getBytes(StandardCharsets.UTF_8)));
            team.append("production.yaml", FileMode.REGULAR_FILE, source.getObjectId(0));
            TreeFormatter clusters = new TreeFormatter();
            clusters.append("orderdata", FileMode.TREE, in.insert(team));
            TreeFormatter top = new TreeFormatter();
            top.append("clusters", FileMode.TREE, in.insert(clusters));
            CommitBuilder c = new CommitBuilder();
            c.setTreeId(in.insert(top));
            c.setParentId(first);
            PersonIdent who = new PersonIdent("it", "it@localhost");
            c.setAuthor(who);
            c.setCommitter(who);
            c.setMessage("case " + ACCEPTED.get() + "/" + REJECTED.get());
            ObjectId id = in.insert(c);
            in.flush();
            RefUpdate ref = db.updateRef("refs/heads/main");
            ref.setNewObjectId(id);
            RefUpdate.Result result = ref.forceUpdate();
            assertTrue(result == RefUpdate.Result.FORCED || result == RefUpdate.Result.NEW
                    || result == RefUpdate.Result.NO_CHANGE, result.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String word(Random r, String chars, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            b.append(chars.charAt(r.nextInt(chars.length())));
        }
        return b.toString();
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static String yaml(Object doc) {
        try {
            return YAML.writeValueAsString(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
