package io.pgrds.source;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * How a repository argument is read: a remote URL or a local path, and how URLs are shown to people.
 *
 * <p>The rule for remote vs local is git's own, so an argument means in pgrds what it means to
 * {@code git clone}: anything with a scheme ({@code file://}, {@code ssh://}, {@code https://},
 * ...) is a URL; so is the scp-like form {@code [user@]host:path}, recognised by a colon with no
 * slash before it. Use {@code ./name:with:colons} for a local path that contains a colon.
 */
final class Urls {
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*", Pattern.DOTALL);
    private static final Pattern SCP_LIKE = Pattern.compile("^(?:[^@/:]+@)?[^@/:]+:.*", Pattern.DOTALL);
    /**
     * The user-info part of any URL inside a text: everything between {@code scheme://} and the last
     * {@code @} before the first slash or white space. Greedy, so a password with a raw {@code @} is
     * removed whole.
     */
    private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/\\s]*@");

    private Urls() {
    }

    /** Whether {@code repo} names a remote repository (to fetch into the cache) rather than a local path. */
    static boolean isRemote(String repo) {
        return SCHEME.matcher(repo).matches() || SCP_LIKE.matcher(repo).matches();
    }

    /**
     * {@code text} with the user-info ({@code user:password@}, {@code token@}) removed from every URL
     * in it, so a credential embedded in a URL never reaches a message, a log or a file name. The
     * user of the scp-like form ({@code git@host:path}) is kept: it is an SSH login, never a secret.
     */
    static String redact(String text) {
        return USER_INFO.matcher(text).replaceAll("$1");
    }

    /**
     * The name of the cache directory for a remote: the SHA-256 of the URL without credentials, so
     * rotating a token embedded in the URL keeps using the same cache.
     */
    static String cacheKey(String url) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(redact(url).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
