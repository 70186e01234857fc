package io.pgrds.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.pgrds.desired.DesiredFleet;
import io.pgrds.desired.load.FleetLoader;
import io.pgrds.source.GitSource;
import io.pgrds.source.Snapshot;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/** Reads the fleet repository the global options name: the committed tree of a ref, never the working tree. */
final class FleetReader {
    private FleetReader() {
    }

    /** The repository at the chosen ref, printing the source's warnings. */
    static Snapshot snapshot(PgrdsCommand top) {
        if (top.debug()) {
            ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.DEBUG);
            for (String library : new String[] {"net.schmizz", "com.hierynomus"}) {
                ((Logger) LoggerFactory.getLogger(library)).setLevel(Level.DEBUG); // silent without --debug
            }
        }
        Snapshot s = GitSource.read(top.repoLocation(), top.ref(), cacheDir());
        s.warnings().forEach(top.terminal()::warn);
        return s;
    }

    /** The fleet at the chosen ref, validated; invalid files are an error listing every problem. */
    static DesiredFleet fleet(PgrdsCommand top) {
        return FleetLoader.loadOrThrow(snapshot(top));
    }

    /** The fleet at a given commit (a saved plan's), read and validated. */
    static DesiredFleet fleetAt(PgrdsCommand top, String commit) {
        return FleetLoader.loadOrThrow(GitSource.read(top.repoLocation(), commit, cacheDir()));
    }

    /** Where remote repositories are cloned: $PGRDS_CACHE, else $XDG_CACHE_HOME/pgrds/repos, else ~/.cache/…. */
    static Path cacheDir() {
        String explicit = System.getenv("PGRDS_CACHE");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("pgrds").resolve("repos");
    }
}
