package io.pgrds.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DaemonWebhookTest {
    // the example of GitHub's documentation "Validating webhook deliveries"
    private static final byte[] SECRET = "It's a Secret to Everybody".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.UTF_8);
    private static final String GOOD = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    @Test
    void aGitHubSignatureOfTheBodyWithTheSecretIsAccepted() {
        assertTrue(Webhook.verify(SECRET, Optional.of(GOOD), Optional.empty(), BODY).accepted());
        assertEquals(GOOD, Webhook.githubSignature(SECRET, BODY));
    }

    @Test
    void upperCaseHexIsTheSameSignature() {
        assertTrue(Webhook.verify(SECRET, Optional.of("sha256=" + GOOD.substring(7).toUpperCase()), Optional.empty(),
                BODY).accepted());
    }

    @Test
    void aSignatureOfAnotherBodyIsRefused() {
        Webhook.Verdict v = Webhook.verify(SECRET, Optional.of(GOOD), Optional.empty(),
                "Hello, World?".getBytes(StandardCharsets.UTF_8));
        assertFalse(v.accepted());
        assertEquals("X-Hub-Signature-256 does not match the body signed with the secret", v.reason());
    }

    @Test
    void aSignatureMadeWithAnotherSecretIsRefused() {
        String other = Webhook.githubSignature("another".getBytes(StandardCharsets.UTF_8), BODY);
        assertFalse(Webhook.verify(SECRET, Optional.of(other), Optional.empty(), BODY).accepted());
    }

    @Test
    void aSignatureWithoutTheSha256PrefixIsRefused() {
        Webhook.Verdict v = Webhook.verify(SECRET, Optional.of(GOOD.substring(7)), Optional.empty(), BODY);
        assertFalse(v.accepted());
        assertEquals("X-Hub-Signature-256 is not of the form sha256=<hex>", v.reason());
    }

    @Test
    void anUnsignedRequestIsRefused() {
        Webhook.Verdict v = Webhook.verify(SECRET, Optional.empty(), Optional.empty(), BODY);
        assertFalse(v.accepted());
        assertEquals("unsigned request: send X-Hub-Signature-256 (GitHub) or X-Gitlab-Token (GitLab)", v.reason());
    }

    @Test
    void theGitLabTokenMustEqualTheSecret() {
        assertTrue(Webhook.verify(SECRET, Optional.empty(), Optional.of("It's a Secret to Everybody"), BODY)
                .accepted());
        Webhook.Verdict wrong = Webhook.verify(SECRET, Optional.empty(), Optional.of("It's a Secret"), BODY);
        assertFalse(wrong.accepted());
        assertEquals("X-Gitlab-Token is wrong", wrong.reason());
    }

    @Test
    void aWrongGitHubSignatureIsNotRescuedByAGoodGitLabToken() {
        String bad = "sha256=" + "0".repeat(64);
        assertFalse(Webhook.verify(SECRET, Optional.of(bad), Optional.of("It's a Secret to Everybody"), BODY)
                .accepted());
    }

    @Test
    void anEmptySecretIsNeverUsed() {
        assertThrows(IllegalArgumentException.class, () -> Webhook.verify(new byte[0], Optional.empty(),
                Optional.of(""), BODY));
    }
}
