package io.pgrds.faults;

import java.util.Collection;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * How many times each fault scenario runs: {@value #PROPERTY} (default {@value #DEFAULT}); {@code bench/faults.sh}
 * runs 20. A scenario is a {@code @ParameterizedTest} over these rounds:
 *
 * <pre>
 * &#64;ParameterizedTest(name = "round {0}")
 * &#64;MethodSource("io.pgrds.faults.Rounds#rounds")
 * void aPlannedSwitchoverLosesNothing(int round) throws Exception { ... }
 * </pre>
 */
public final class Rounds {
    public static final String PROPERTY = "pgrds.faults.rounds";
    public static final int DEFAULT = 3;

    private Rounds() {
    }

    /** The number of rounds asked for (at least 1). */
    public static int count() {
        String value = System.getProperty(PROPERTY, "");
        if (value.isBlank()) {
            return DEFAULT;
        }
        try {
            return Math.max(1, Integer.parseInt(value.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be a number of rounds, not '" + value + "'");
        }
    }

    /** 1..N. */
    public static IntStream rounds() {
        return IntStream.rangeClosed(1, count());
    }

    /** Every value × every round, value first: {@code (value, round)} arguments. */
    public static Stream<Arguments> times(Collection<?> values) {
        return values.stream().flatMap(v -> rounds().mapToObj(r -> Arguments.of(v, r)));
    }
}
