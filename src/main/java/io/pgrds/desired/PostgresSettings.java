package io.pgrds.desired;

import java.util.List;
import java.util.SortedMap;

/**
 * Cluster-wide PostgreSQL settings.
 *
 * @param parameters server parameters, values in their canonical text form, sorted by name
 * @param systemd    where systemd runs a node, start the server through the node's {@code pgrds@.service} instance and
 *                   enable it at boot ({@code postgres.systemd}, default true); false: pg_ctl everywhere, as before
 */
public record PostgresSettings(int version, SortedMap<String, String> parameters, List<HbaRule> hba,
                               boolean systemd) {
    public PostgresSettings {
        parameters = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(parameters));
        hba = List.copyOf(hba);
    }

    public PostgresSettings(int version, SortedMap<String, String> parameters, List<HbaRule> hba) {
        this(version, parameters, hba, true);
    }
}
