package io.pgrds.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/**
 * {@code pgrds --version}: the version, the git commit and the time of the build, and the Java runtime. The build
 * writes them into {@value #RESOURCE} (pom.xml, process-resources); run from classes without it, or built outside a
 * git checkout, the missing parts read "dev" and "unknown".
 */
final class Version implements CommandLine.IVersionProvider {
    static final String RESOURCE = "/io/pgrds/build.properties";

    @Override
    public String[] getVersion() {
        return lines(buildInfo(), System.getProperty("java.version"), System.getProperty("java.vm.vendor"));
    }

    /** The build's properties: version, commit, dirty, time; empty when the resource is absent. */
    static Properties buildInfo() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // unreadable build information is no reason to fail --version: it prints "unknown"
        }
        return p;
    }

    static String[] lines(Properties build, String javaVersion, String javaVendor) {
        String version = known(build.getProperty("version"), "dev");
        String commit = known(build.getProperty("commit"), "unknown");
        if (!commit.equals("unknown") && "true".equals(build.getProperty("dirty"))) {
            commit += " (with uncommitted changes)";
        }
        return new String[] {
            "pgrds " + version,
            "commit " + commit,
            "built " + known(build.getProperty("time"), "unknown"),
            "java " + javaVersion + " (" + javaVendor + ")"};
    }

    /** The value, unless absent, blank or an unexpanded ${...} placeholder. */
    private static String known(String value, String otherwise) {
        return value == null || value.isBlank() || value.contains("${") ? otherwise : value.strip();
    }
}
