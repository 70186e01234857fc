package io.pgrds.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** SSH key pairs made with ssh-keygen, as an operator would make them. */
public final class Keys {
    private Keys() {
    }

    /** The SHA256 fingerprint of a public key file as OpenSSH prints it ({@code SHA256:...}). */
    public static String fingerprint(Path publicKey) {
        return Cmd.ok("ssh-keygen", "-l", "-E", "sha256", "-f", publicKey.toString()).trim().split("\\s+")[1];
    }

    /**
     * Generates an unencrypted ed25519 key pair at {@code privateKey} (and {@code privateKey.pub}); returns the
     * public key as {@code ssh-ed25519 BASE64} (without the comment).
     */
    public static String generate(Path privateKey, String comment) {
        return generate(privateKey, "ed25519", comment);
    }

    /** A key pair of another type ({@code ed25519}, {@code ecdsa}, {@code rsa}); returns the public key line. */
    public static String generate(Path privateKey, String type, String comment) {
        Cmd.ok("ssh-keygen", "-q", "-t", type, "-N", "", "-C", comment, "-f", privateKey.toString());
        try {
            String[] fields = Files.readString(privateKey.resolveSibling(privateKey.getFileName() + ".pub"))
                    .trim().split("\\s+");
            return fields[0] + " " + fields[1];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
