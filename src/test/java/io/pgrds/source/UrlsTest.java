package io.pgrds.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;

class UrlsTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "file:///srv/git/fleet.git",
        "ssh://git@git.example.com/platform/fleet.git",
        "ssh://git.example.com:2222/platform/fleet.git",
        "https://git.example.com/platform/fleet.git",
        "http://git.example.com/platform/fleet.git",
        "git://git.example.com/fleet.git",
        "git@github.com:platform/fleet.git",
        "fleet-host:platform/fleet.git",
    })
    void urlsAndScpLikeAddressesAreRemote(String repo) {
        assertTrue(Urls.isRemote(repo), repo);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/srv/git/fleet",
        "fleet",
        "./fleet",
        "../platform/fleet.git",
        ".",
        "./dir:with:colons",
        "/srv/git/dir:with:colons",
        "fleet@home",
    })
    void pathsAreLocal(String repo) {
        assertFalse(Urls.isRemote(repo), repo);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "https://alice:s3cret@git.example.com/fleet.git | https://git.example.com/fleet.git",
        "https://ghp_token123@git.example.com/fleet.git | https://git.example.com/fleet.git",
        "https://alice:p@ss@git.example.com/fleet.git   | https://git.example.com/fleet.git",
        "http://alice:s3cret@git.example.com:8080       | http://git.example.com:8080",
        "ssh://git:pw@git.example.com:2222/fleet.git    | ssh://git.example.com:2222/fleet.git",
        "https://git.example.com/fleet.git              | https://git.example.com/fleet.git",
        "git@github.com:platform/fleet.git              | git@github.com:platform/fleet.git",
        "/srv/git/fleet                                 | /srv/git/fleet",
    })
    void redactionRemovesUserInfoFromUrls(String url, String shown) {
        assertEquals(shown, Urls.redact(url));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "https://alice:s3cret@git.example.com/fleet.git: not authorized | https://git.example.com/fleet.git: not authorized",
        "fetch from https://t0k3n@h/x and https://u:p@h/y failed         | fetch from https://h/x and https://h/y failed",
        "mail admin@example.com about it                                 | mail admin@example.com about it",
    })
    void redactionFindsUrlsInsideMessages(String message, String shown) {
        assertEquals(shown, Urls.redact(message));
    }

    @Property
    void redactionLeavesNoTraceOfAnyUserOrPassword(
            @ForAll @AlphaChars @NumericChars @Chars({'-', '_', '.', '~', '%', '!', '$', '&', '+', ',', ';', '=', ':', '@'})
            @StringLength(min = 1, max = 30) String user,
            @ForAll @AlphaChars @NumericChars @Chars({'-', '_', '.', '~', '%', '!', '$', '&', '+', ',', ';', '=', ':', '@'})
            @StringLength(min = 1, max = 30) String password) {
        String url = "https://" + user + ":" + password + "@git.example.com/fleet.git";
        assertEquals("https://git.example.com/fleet.git", Urls.redact(url));
        assertEquals("unable to fetch https://git.example.com/fleet.git: refused",
                Urls.redact("unable to fetch " + url + ": refused"));
    }

    @org.junit.jupiter.api.Test
    void theCacheKeyIgnoresCredentialsButNotTheRepository() {
        String key = Urls.cacheKey("https://git.example.com/fleet.git");
        assertTrue(key.matches("[0-9a-f]{64}"), key);
        assertEquals(key, Urls.cacheKey("https://alice:s3cret@git.example.com/fleet.git"));
        assertNotEquals(key, Urls.cacheKey("https://git.example.com/other.git"));
    }
}
