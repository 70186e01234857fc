package io.pgrds.desired;

import java.util.Optional;

/** One pg_hba.conf line as declared in the YAML. {@code address} is absent for {@code local} lines. */
public record HbaRule(String type, String database, String user, Optional<String> address, String method) {
    /** The line as written into pg_hba.conf. */
    public String line() {
        return address.map(a -> String.join(" ", type, database, user, a, method))
                .orElseGet(() -> String.join(" ", type, database, user, method));
    }
}
