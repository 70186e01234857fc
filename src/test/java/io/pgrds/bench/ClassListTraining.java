package io.pgrds.bench;

import io.pgrds.harness.TestHosts;
import io.pgrds.harness.TestNode;
import io.pgrds.testing.FleetRepo;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Writes {@code src/main/cds/nodes.classlist}: the classes that {@code pgrds status} and {@code pgrds plan} load on
 * a real cluster (a primary and two streaming standbys, each behind its own sshd: SSH, the probe, SQL through the
 * tunnels, the planner) beyond those a {@code validate} loads. The build adds them to the class list the package
 * makes its class data sharing archive from (docs/install.md), which a build cannot record itself: it has no nodes
 * to reach. {@code ClassListIT} fails when the list no longer covers what {@code status} loads; then run
 * {@code bench/classlist.sh} and commit the file.
 */
public final class ClassListTraining {
    static final Path OUT = Path.of("src/main/cds/nodes.classlist");

    private ClassListTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of("target/pgrds.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException("target/pgrds.jar is missing: build it with mvn -DskipTests package");
        }
        TestHosts hosts = TestHosts.create(3);
        try {
            hosts.start();
            hosts.initPrimary(hosts.node(0));
            for (int i = 1; i < 3; i++) {
                hosts.cloneStandby(hosts.node(0), hosts.node(i));
                hosts.awaitStreaming(hosts.node(0), hosts.node(i));
            }
            FleetRepo fleet = new FleetRepo(hosts.root().resolve("fleet"));
            fleet.commit("training/nodes", clusterFile(hosts));
            Path work = Files.createDirectories(hosts.root().resolve("classlists"));
            Set<String> validate = loaded(jar, fleet.dir(), work, "validate");
            Set<String> reaching = new TreeSet<>(loaded(jar, fleet.dir(), work, "status"));
            reaching.addAll(loaded(jar, fleet.dir(), work, "plan"));
            reaching.removeAll(validate);
            List<String> lines = new ArrayList<>(List.of(
                    "# Classes pgrds status and plan load on a real cluster beyond those of a validate, added to the",
                    "# class list the package makes its class data sharing archive from. Written by bench/classlist.sh",
                    "# (io.pgrds.bench.ClassListTraining); ClassListIT says when it needs writing again."));
            lines.addAll(reaching);
            Files.createDirectories(OUT.getParent());
            Files.write(OUT, lines, StandardCharsets.UTF_8);
            System.out.printf("classes loaded: validate %d; status and plan %d more, written to %s%n",
                    validate.size(), reaching.size(), OUT);
        } finally {
            hosts.close();
        }
    }

    /**
     * The named classes one pgrds command loads, as -XX:DumpLoadedClassList records them (no generated ones); its
     * output and error output are left in {@code work} as COMMAND.out and COMMAND.err.
     */
    public static Set<String> loaded(Path jar, Path fleet, Path work, String command) throws Exception {
        Path list = work.resolve(command + ".classlist");
        Files.deleteIfExists(list);
        List<String> argv = List.of("java", "-XX:DumpLoadedClassList=" + list, "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "--repo", fleet.toString(), command);
        Process p = new ProcessBuilder(argv).redirectOutput(work.resolve(command + ".out").toFile())
                .redirectError(work.resolve(command + ".err").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", argv) + " did not finish in 120 s");
        }
        if (p.exitValue() > 3) { // status 0/1, plan 0/2/3 are answers; more is a failure
            throw new IllegalStateException(command + " failed (exit " + p.exitValue() + "):\n"
                    + Files.readString(work.resolve(command + ".out")) + Files.readString(work.resolve(command
                    + ".err")));
        }
        return named(Files.readAllLines(list));
    }

    /** The plain class names of a class list: no comments, no lambda lines, no classes generated at run time. */
    public static Set<String> named(List<String> classList) {
        Set<String> names = new TreeSet<>();
        for (String line : classList) {
            if (line.isBlank() || line.startsWith("#") || line.startsWith("@")) {
                continue;
            }
            String name = line.split(" ", 2)[0];
            if (!name.contains("$$Lambda") && !name.startsWith("jdk/proxy") && !name.contains("$Proxy")
                    && !name.contains("LambdaForm$")) {
                names.add(name);
            }
        }
        return names;
    }

    /** A cluster file of every harness node, reached as root over its sshd; the benchmarks share it. */
    public static String clusterFile(TestHosts hosts) {
        StringBuilder y = new StringBuilder();
        y.append("ssh: {user: root, port: ").append(hosts.node(0).sshPort()).append(", identityFile: ")
                .append(hosts.clientKey()).append(", knownHostsFile: ").append(hosts.knownHosts())
                .append(", become: runuser}\n");
        y.append("nodes:\n");
        for (TestNode n : hosts.nodes()) {
            y.append("  - {host: ").append(n.address()).append(", name: ").append(n.name())
                    .append(", postgres: {dataDirectory: ").append(n.dataDirectory()).append(", port: ")
                    .append(n.pgPort()).append("}}\n");
        }
        return y.toString();
    }
}
