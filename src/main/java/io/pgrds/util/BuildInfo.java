package io.pgrds.util;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What the build recorded about itself in {@value #RESOURCE} (pom.xml, process-resources): the version, the git
 * commit, whether the tree had uncommitted changes, and the build time. Run from classes without it, or built
 * outside a git checkout, the missing parts read "dev" and "unknown". One source for {@code pgrds --version} and
 * the daemon's {@code pgrds_build_info}.
 */
public record BuildInfo(String version, String commit, boolean dirty, String time) {
    public static final String RESOURCE = "/io/pgrds/build.properties";

    /** The running jar's. */
    public static BuildInfo current() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // unreadable build information is no reason to fail: it reads "unknown"
        }
        return of(p);
    }

    public static BuildInfo of(Properties build) {
        String commit = known(build.getProperty("commit"), "unknown");
        return new BuildInfo(known(build.getProperty("version"), "dev"), commit,
                !commit.equals("unknown") && "true".equals(build.getProperty("dirty")),
                known(build.getProperty("time"), "unknown"));
    }

    /** The value, unless absent, blank or an unexpanded ${...} placeholder. */
    private static String known(String value, String otherwise) {
        return value == null || value.isBlank() || value.contains("${") ? otherwise : value.strip();
    }
}
