package io.pgrds.daemon;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JobStoresTest {
    @Test
    void theQuartzSchemaSplitsIntoStatementsWithoutComments() {
        var statements = JobStores.statements(JobStores.schema());
        assertTrue(statements.stream().anyMatch(s -> s.startsWith("CREATE TABLE QRTZ_JOB_DETAILS")), statements
                .toString());
        assertTrue(statements.stream().noneMatch(s -> s.contains("--")));
        assertTrue(statements.stream().noneMatch(String::isBlank));
    }
}
