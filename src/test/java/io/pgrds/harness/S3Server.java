package io.pgrds.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real S3-compatible server for s3 repositories: S3Proxy (from Maven Central, copied to {@code target/s3proxy}
 * by the build) in a process of its own, serving HTTPS on 127.0.0.1 with a certificate made for the run, objects
 * stored as plain files under {@link #objects()}. pgBackRest verifies the certificate against the endpoint's host
 * name (not an IP address), so the endpoint is {@code localhost:PORT} and the nodes get the CA file.
 *
 * <p>The access key and secret are random per run and live only in the credentials file on the (shared) node
 * machine, owned by postgres, mode 0600: tests can assert that they appear nowhere else.
 *
 * <pre>{@code
 * @RegisterExtension static final S3Server s3 = S3Server.create();
 * }</pre>
 */
public final class S3Server implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    public static final String JAR_PROPERTY = "pgrds.s3proxy.jar";
    public static final String BUCKET = "pgrds-backups";
    public static final String REGION = "us-east-1";

    private Path root;
    private Process process;
    private int port;
    private String key;
    private String secret;

    private S3Server() {
    }

    public static S3Server create() {
        return new S3Server();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    public synchronized S3Server start() throws IOException, InterruptedException {
        if (process != null) {
            return this;
        }
        Path jar = Path.of(System.getProperty(JAR_PROPERTY, "target/s3proxy/s3proxy.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("S3Proxy is not at " + jar + "; run the tests through mvn verify, whose "
                    + "pre-integration-test phase copies it there");
        }
        root = Files.createTempDirectory("pgrds-s3-");
        Cleanup.registerRoot(root);
        // postgres (pgBackRest on the nodes) reads the CA and credentials files below this directory
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(root.resolve("objects").resolve(BUCKET));
        SecureRandom random = new SecureRandom();
        key = "pgrds-it-" + hex(random, 6);
        secret = hex(random, 20);
        String storePassword = hex(random, 12);
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }

        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Path keystore = root.resolve("server.p12");
        Cmd.Result made = Cmd.run(Cmd.DEFAULT_TIMEOUT, List.of(keytool, "-genkeypair", "-alias", "s3", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-keystore",
                keystore.toString(), "-storetype", "PKCS12", "-storepass", storePassword, "-keypass", storePassword));
        if (!made.ok()) {
            throw new IllegalStateException(made.describe());
        }
        Cmd.Result pem = Cmd.run(Cmd.DEFAULT_TIMEOUT, List.of(keytool, "-exportcert", "-rfc", "-alias", "s3", "-keystore",
                keystore.toString(), "-storepass", storePassword));
        if (!pem.ok()) {
            throw new IllegalStateException(pem.describe());
        }
        String out = pem.output();
        int begin = out.indexOf("-----BEGIN CERTIFICATE-----");
        int end = out.indexOf("-----END CERTIFICATE-----");
        if (begin < 0 || end < begin) {
            throw new IllegalStateException("keytool printed no certificate: " + out);
        }
        Files.writeString(caFile(), out.substring(begin, end) + "-----END CERTIFICATE-----\n");
        Files.setPosixFilePermissions(caFile(), PosixFilePermissions.fromString("rw-r--r--"));
        writeCredentials(credentialsFile(), "[global]\nrepo1-s3-key=" + key + "\nrepo1-s3-key-secret=" + secret + "\n");

        Path properties = root.resolve("s3proxy.properties");
        Files.writeString(properties, String.join("\n",
                "s3proxy.secure-endpoint=https://127.0.0.1:" + port,
                "s3proxy.keystore-path=" + keystore,
                "s3proxy.keystore-password=" + storePassword,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + key,
                "s3proxy.credential=" + secret,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + root.resolve("objects"), ""));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        process = new ProcessBuilder(java.toString(), "-Xmx256m", "-jar", jar.toString(), "--properties",
                properties.toString()).redirectErrorStream(true).redirectOutput(root.resolve("s3proxy.log").toFile())
                .start();
        Cleanup.register(process);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!accepts()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String log = Files.readString(root.resolve("s3proxy.log"));
                close();
                throw new IllegalStateException("S3Proxy did not start on 127.0.0.1:" + port + ":\n" + log);
            }
            Thread.sleep(100);
        }
        return this;
    }

    /** Writes a credentials file for pgBackRest: owner postgres, mode 0600. */
    public void writeCredentials(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
        UserPrincipalLookupService users = file.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(file, users.lookupPrincipalByName("postgres"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String hex(SecureRandom random, int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** {@code host:port} for a repository's {@code endpoint}. */
    public String endpoint() {
        return "localhost:" + port;
    }

    public Path caFile() {
        return root.resolve("ca.pem");
    }

    public Path credentialsFile() {
        return root.resolve("credentials.conf");
    }

    /** A directory for further files the nodes read (e.g. broken credentials files in tests). */
    public Path root() {
        return root;
    }

    /** The access key, which appears in no output. */
    public String key() {
        return key;
    }

    /** The secret key, which appears in no output. */
    public String secret() {
        return secret;
    }

    /** Where the bucket's objects are stored, as files named by their keys. */
    public Path objects() {
        return root.resolve("objects").resolve(BUCKET);
    }

    /** A repositories entry for the fleet's YAML, one line, with the given name. */
    public String repositoryYaml(String name) {
        return name + ": {type: s3, bucket: " + BUCKET + ", endpoint: '" + endpoint() + "', region: " + REGION
                + ", uriStyle: path, credentialsFile: " + credentialsFile() + ", caFile: " + caFile() + "}";
    }

    @Override
    public synchronized void close() {
        if (process != null) {
            Cleanup.killTree(process);
            Cleanup.unregister(process);
            process = null;
        }
        if (root != null && !Boolean.getBoolean(TestHosts.KEEP_PROPERTY)) {
            Cleanup.deleteTree(root);
            Cleanup.unregisterRoot(root);
        }
    }
}
