package io.pgrds.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.pgrds.observe.NodePaths;
import io.pgrds.observe.Systemd;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pgrds_node role's unit template, rendered with the role's defaults, runs what pgrds expects of a server it
 * starts through systemd ({@link NodeOps#start()}): postgres on the instance's data directory, logging where pgrds's
 * messages point, never restarted by systemd behind pgrds's back, and never a data directory still being created.
 */
class UnitTemplateTest {
    private static final Path ROLE = Path.of("ansible/roles/pgrds_node");
    private static final Path SYSTEMD_ANALYZE = Path.of("/usr/bin/systemd-analyze");
    private static final Pattern VARIABLE = Pattern.compile("\\{\\{\\s*([a-z_]+)\\s*}}");

    @TempDir
    Path tmp;

    /** The template with each {{ variable }} replaced by the role's default; every variable must have one. */
    static String rendered() throws IOException {
        JsonNode defaults = new ObjectMapper(new YAMLFactory()).readTree(ROLE.resolve("defaults/main.yml").toFile());
        String template = Files.readString(ROLE.resolve("templates/" + Systemd.TEMPLATE + ".j2"));
        Matcher m = VARIABLE.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            JsonNode value = defaults.get(m.group(1));
            assertTrue(value != null && value.isValueNode(), m.group(1) + " has no default in defaults/main.yml");
            m.appendReplacement(out, Matcher.quoteReplacement(value.asText()));
        }
        m.appendTail(out);
        String text = out.toString();
        assertFalse(text.contains("{{") || text.contains("{%"), "a Jinja construct this test cannot render:\n" + text);
        return text;
    }

    @Test
    void theUnitRunsPostgresOnTheInstancesDataDirectoryAndLogsWherePgrdsLooks() throws IOException {
        String unit = rendered();
        List<String> lines = unit.lines().map(String::strip).toList();
        String exec = lines.stream().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow();
        assertTrue(exec.contains("/usr/lib/postgresql/15/bin/postgres -D \"$$1\""), exec);
        assertTrue(exec.endsWith(" %f"), "the data directory is the unescaped instance: " + exec);
        String log = new NodePaths("/x").serverLog().substring("/x".length());
        assertTrue(exec.contains(">>\"$$1" + log + "\" 2>&1"), "the log pgrds names: " + exec);
        assertTrue(lines.contains("User=postgres"), unit);
        assertTrue(lines.contains("Type=notify"), "started means accepting connections, as pg_ctl start -w: " + unit);
        assertTrue(lines.contains("KillSignal=SIGINT"), "a stop through systemd is a fast shutdown: " + unit);
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("Restart=")), "systemd must never start a server "
                + "pgrds stopped (a fenced one): " + unit);
        assertTrue(lines.contains("ConditionPathExists=!%f.pgrds/creating"), "never a half-created data directory: "
                + unit);
        assertTrue(lines.contains("WantedBy=multi-user.target"), "enabling it makes a reboot start it: " + unit);
    }

    @Test
    void systemdAnalyzeVerifiesTheRenderedUnit() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(SYSTEMD_ANALYZE), SYSTEMD_ANALYZE + " is not installed here: the "
                + "unit's syntax is not checked by systemd (the rest of this class still checks its content)");
        Files.writeString(tmp.resolve(Systemd.TEMPLATE), rendered());
        Path instance = tmp.resolve(Systemd.unitFor("/var/lib/pgrds/orderdata-integration/data"));
        Process p = new ProcessBuilder(SYSTEMD_ANALYZE.toString(), "verify", "--man=no", instance.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals("", out.strip(), "systemd-analyze verify has something to say about the unit");
    }
}
