package io.pgrds.desired;

import java.util.List;
import java.util.SortedMap;

/**
 * Cluster-wide PostgreSQL settings.
 *
 * @param parameters server parameters, values in their canonical text form, sorted by name
 */
public record PostgresSettings(int version, SortedMap<String, String> parameters, List<HbaRule> hba) {
    public PostgresSettings {
        parameters = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(parameters));
        hba = List.copyOf(hba);
    }
}
