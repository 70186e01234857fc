package io.pgrds.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrds.testing.FleetRepo;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** status --watch: ends at once when nobody reads any more, and reads the repository again every round. */
class StatusWatchTest {
    @TempDir
    Path tmp;

    /** A single local node whose data directory does not exist: observed at once, on this machine. */
    private String yaml(String name) {
        return "transport: local\nnodes:\n  - {host: localhost, name: " + name + ", postgres: {dataDirectory: "
                + tmp.resolve("absent-data") + ", port: 55999}}\n";
    }

    @Test
    void aWatchWritingIntoAClosedPipeEndsAtOnceAndQuietly() throws Exception {
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        fleet.commit("orderdata/integration", yaml("n1"));
        AtomicInteger writes = new AtomicInteger();
        Writer closedPipe = new Writer() { // what System.out becomes once `head -1` has exited
            @Override
            public void write(char[] buf, int off, int len) throws IOException {
                writes.incrementAndGet();
                throw new IOException("Broken pipe");
            }

            @Override
            public void flush() throws IOException {
                throw new IOException("Broken pipe");
            }

            @Override
            public void close() {
            }
        };
        StringWriter err = new StringWriter();
        int exit = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Main.run(new Terminal(
                new PrintWriter(closedPipe, true), new PrintWriter(err, true), false, false), "--repo",
                fleet.dir().toString(), "status", "--watch", "1s"));
        assertTrue(exit == 0 || exit == 1, "a status exit, not an error: " + exit + " " + err);
        assertEquals("", err.toString(), "quietly: nothing on stderr");
        assertTrue(writes.get() > 0, "it did try to write the first round");
    }

    @Test
    void everyRoundReadsTheRepositoryAgain() throws Exception {
        FleetRepo fleet = new FleetRepo(tmp.resolve("fleet"));
        fleet.commit("orderdata/integration", yaml("n1"));
        StringBuilder seen = new StringBuilder();
        AtomicInteger rounds = new AtomicInteger();
        Writer out = new Writer() {
            @Override
            public void write(char[] buf, int off, int len) throws IOException {
                String text = new String(buf, off, len);
                seen.append(text);
                if (text.contains("pgrds status") && rounds.incrementAndGet() == 1) {
                    fleet.commit("orderdata/integration", yaml("n2")); // a commit while it watches
                }
                if (seen.indexOf("n2") >= 0 && rounds.get() >= 2) {
                    throw new IOException("seen"); // and the reader goes away, which ends the watch
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> Main.run(new Terminal(new PrintWriter(out, true),
                new PrintWriter(new StringWriter(), true), false, false), "--repo", fleet.dir().toString(), "status",
                "--watch", "1s"));
        assertTrue(seen.indexOf("n1") >= 0 && seen.indexOf("n2") >= 0, "both commits shown:\n" + seen);
        assertTrue(Files.exists(fleet.dir()), "the repository is untouched");
    }
}
