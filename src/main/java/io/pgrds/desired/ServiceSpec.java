package io.pgrds.desired;

import java.util.Optional;

/** The endpoint registered for the primary, and the hook that registers it. */
public record ServiceSpec(String name, Optional<String> hook) {
}
