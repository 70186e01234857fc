package io.pgrds.desired;

import java.util.Optional;

/**
 * The endpoint registered for the primary, and the hook that registers it.
 *
 * @param hook the absolute path of an executable on the machine running pgrds, run without a shell whenever the
 *             primary changes (validated: segments of letters, digits and {@code . _ + @ -})
 */
public record ServiceSpec(String name, Optional<String> hook) {
}
