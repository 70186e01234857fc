package io.pgrds.desired;

import java.util.Optional;

/**
 * A pgBackRest repository, declared once under {@code repositories:} and named by clusters' {@code backup}.
 * Credentials are never part of it: an S3 repository names a file outside the fleet repository that holds them,
 * read on the node when pgBackRest runs.
 */
public sealed interface Repository permits Repository.Posix, Repository.S3 {
    /** The name under {@code repositories:}. */
    String name();

    /**
     * The repository as pgBackRest's own {@code repo1-*} options, in the order pgrds writes them; never the keys of
     * an s3 repository, which pgBackRest reads from the operator's credentials file on the node.
     */
    default java.util.Map<String, String> pgbackrestSettings() {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        if (this instanceof Posix p) {
            out.put("repo1-type", "posix");
            out.put("repo1-path", p.path());
        } else if (this instanceof S3 s) {
            out.put("repo1-type", "s3");
            out.put("repo1-path", s.path());
            out.put("repo1-s3-bucket", s.bucket());
            out.put("repo1-s3-endpoint", s.host());
            s.port().ifPresent(port -> out.put("repo1-storage-port", Integer.toString(port)));
            out.put("repo1-s3-region", s.region());
            if (s.pathStyle()) {
                out.put("repo1-s3-uri-style", "path");
            }
            s.caFile().ifPresent(ca -> out.put("repo1-storage-ca-file", ca));
            if (!s.verifyTls()) {
                out.put("repo1-storage-verify-tls", "n");
            }
        }
        return out;
    }

    /** A directory every node of a cluster reaches at the same path (local disk for one host, else NFS). */
    record Posix(String name, String path) implements Repository {
    }

    /**
     * An S3-compatible bucket.
     *
     * @param credentialsFile a file on each node with {@code repo1-s3-key=} and {@code repo1-s3-key-secret=}
     *                        lines (pgBackRest's own option names), owned by postgres, mode 0600
     * @param caFile          a CA bundle on the nodes for a private endpoint's TLS certificate
     */
    record S3(String name, String bucket, String endpoint, String region, String path, String credentialsFile,
              Optional<String> caFile, boolean pathStyle, boolean verifyTls) implements Repository {
        /** The endpoint's host name (or address), without the port. */
        public String host() {
            int colon = portColon();
            String host = colon < 0 ? endpoint : endpoint.substring(0, colon);
            return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        }

        /** The endpoint's port when it names one; pgBackRest's default is 443. */
        public Optional<Integer> port() {
            int colon = portColon();
            return colon < 0 ? Optional.empty() : Optional.of(Integer.parseInt(endpoint.substring(colon + 1)));
        }

        private int portColon() {
            int colon = endpoint.lastIndexOf(':');
            boolean bracketed = endpoint.startsWith("[");
            if (colon < 0 || (!bracketed && endpoint.indexOf(':') != colon)
                    || (bracketed && endpoint.lastIndexOf(']') > colon)) {
                return -1; // no port, or a bare IPv6 address
            }
            String digits = endpoint.substring(colon + 1);
            return digits.matches("[0-9]{1,5}") ? colon : -1;
        }
    }
}
