package io.pgrds.apply;

import java.time.Duration;
import java.util.Optional;

/** The outcome of a restore drill. */
public record VerifyResult(String node, boolean ok, Optional<String> backupLabel, Optional<String> lastTransaction,
                           Duration took, Optional<String> error) {
}
