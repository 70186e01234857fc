package io.pgrds.cli;

import io.pgrds.util.BuildInfo;
import picocli.CommandLine;

/**
 * {@code pgrds --version}: the version, the git commit and the time of the build, and the Java runtime. The build
 * writes them into {@code io/pgrds/build.properties} (read by {@link BuildInfo}) (pom.xml, process-resources); run from classes without it, or built outside a
 * git checkout, the missing parts read "dev" and "unknown".
 */
final class Version implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String[] lines = lines(BuildInfo.current(), System.getProperty("java.version"), System.getProperty("java.vm.vendor"));
        String cds = classDataSharing(System.getProperty(CDS_PROPERTY), System.getProperty("java.vm.info", ""));
        if (cds == null) {
            return lines;
        }
        String[] more = java.util.Arrays.copyOf(lines, lines.length + 1);
        more[lines.length] = cds;
        return more;
    }

    /** The archive the packaged launcher (src/deb/pgrds) hands the JVM, named in this system property. */
    static final String CDS_PROPERTY = "pgrds.cds.archive";

    /**
     * Whether the JVM maps pgrds's class data sharing archive: the JVM says "sharing" in java.vm.info when it maps
     * one, and with -XX:SharedArchiveFile it maps that one or none. Null when no archive was given (the jar run
     * directly), so --version stays as it was.
     */
    static String classDataSharing(String archive, String vmInfo) {
        if (archive == null || archive.isBlank()) {
            return null;
        }
        return vmInfo.contains("sharing") ? "class data sharing: " + archive
                : "class data sharing: off (" + archive + " does not fit this Java or is damaged; make it again: "
                        + "dpkg-reconfigure pgrds)";
    }

    static String[] lines(BuildInfo b, String javaVersion, String javaVendor) {
        return new String[] {
            "pgrds " + b.version(),
            "commit " + b.commit() + (b.dirty() ? " (with uncommitted changes)" : ""),
            "built " + b.time(),
            "java " + javaVersion + " (" + javaVendor + ")"};
    }
}
