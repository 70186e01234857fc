package io.pgrds.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.List;

import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.Test;

class GitSourceTest {

    @Test
    void shortListsAreShownWhole() {
        assertEquals("a, b, c", GitSource.listAtMost(List.of("a", "b", "c"), 3));
    }

    @Test
    void longListsShowTheFirstFewThenHowManyMore() {
        assertEquals("a, b and 3 more", GitSource.listAtMost(List.of("a", "b", "c", "d", "e"), 2));
    }

    @Test
    void aDescriptionKeepsTheInnerReasonOnce() {
        IOException inner = new IOException("Connection refused");
        RuntimeException outer = new RuntimeException("https://h/x: cannot open git-upload-pack", inner);
        assertEquals("https://h/x: cannot open git-upload-pack: Connection refused", GitSource.describe(outer));
        assertEquals("Connection refused", GitSource.describe(new RuntimeException("Connection refused", inner)));
    }

    @Test
    void aFetchFailureReasonDropsJGitsRepeatedUrlsAndAllCredentials() throws Exception {
        String url = "https://alice:s3cret@git.example.com/fleet.git";
        Exception e = new InvalidRemoteException("Invalid remote: " + url,
                new NoRemoteRepositoryException(new URIish("https://alice@git.example.com/fleet.git"), "not found."));

        assertEquals("not found", RemoteCache.reason(e, Urls.redact(url)));
    }
}
