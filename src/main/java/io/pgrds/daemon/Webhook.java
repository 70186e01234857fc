package io.pgrds.daemon;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks that a push notification comes from the git host: GitHub signs the body with HMAC-SHA256 of the shared
 * secret ({@code X-Hub-Signature-256: sha256=<hex>}), GitLab sends the secret itself ({@code X-Gitlab-Token}).
 * Comparisons take constant time. Pure: no I/O.
 */
public final class Webhook {
    public static final String GITHUB_HEADER = "X-Hub-Signature-256";
    public static final String GITLAB_HEADER = "X-Gitlab-Token";

    private Webhook() {
    }

    /** Whether a request is accepted, and if not, why (for the 401 body and the log). */
    public record Verdict(boolean accepted, String reason) {
    }

    /**
     * @param secret    the shared secret (never empty: without one the webhook is disabled before this)
     * @param signature the {@value #GITHUB_HEADER} header, if sent
     * @param token     the {@value #GITLAB_HEADER} header, if sent
     */
    public static Verdict verify(byte[] secret, Optional<String> signature, Optional<String> token, byte[] body) {
        if (secret.length == 0) {
            throw new IllegalArgumentException("an empty webhook secret accepts anyone");
        }
        if (signature.isPresent()) {
            String s = signature.get().strip();
            if (!s.toLowerCase(Locale.ROOT).startsWith("sha256=")) {
                return new Verdict(false, GITHUB_HEADER + " is not of the form sha256=<hex>");
            }
            byte[] expected = HexFormat.of().formatHex(hmacSha256(secret, body)).getBytes(StandardCharsets.US_ASCII);
            byte[] given = s.substring("sha256=".length()).toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
            return MessageDigest.isEqual(expected, given) ? new Verdict(true, "GitHub signature valid")
                    : new Verdict(false, GITHUB_HEADER + " does not match the body signed with the secret");
        }
        if (token.isPresent()) {
            return MessageDigest.isEqual(secret, token.get().getBytes(StandardCharsets.UTF_8))
                    ? new Verdict(true, "GitLab token valid") : new Verdict(false, GITLAB_HEADER + " is wrong");
        }
        return new Verdict(false, "unsigned request: send " + GITHUB_HEADER + " (GitHub) or " + GITLAB_HEADER
                + " (GitLab)");
    }

    /** The GitHub signature header value for {@code body}: {@code sha256=<hex>}. */
    public static String githubSignature(byte[] secret, byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(hmacSha256(secret, body));
    }

    static byte[] hmacSha256(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
