package io.pgrds;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import java.util.Set;

/** Calls that read a clock, the environment or chance: a pure function makes none. */
final class Impure {
    private static final Set<String> METHODS = Set.of("java.lang.System.currentTimeMillis",
            "java.lang.System.nanoTime", "java.lang.System.getenv", "java.lang.System.getProperty",
            "java.lang.Math.random", "java.util.UUID.randomUUID", "java.time.Instant.now",
            "java.time.LocalDateTime.now", "java.time.LocalDate.now", "java.time.OffsetDateTime.now",
            "java.time.ZonedDateTime.now", "java.lang.Thread.sleep");

    static final DescribedPredicate<JavaMethodCall> CALL = new DescribedPredicate<>("a clock, the environment or "
            + "chance") {
        @Override
        public boolean test(JavaMethodCall call) {
            return METHODS.contains(call.getTargetOwner().getFullName() + "." + call.getName());
        }
    };

    private Impure() {
    }
}
