package io.pgrds.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class BackupKeysTest {
    @Test
    void keysAreLimitedToTheClusterAddressesWhenEveryHostIsAnAddress() {
        assertEquals(",from=\"10.0.0.1/32,10.0.0.2/32\"", BackupKeys.from(List.of("10.0.0.1", "10.0.0.2")));
        assertEquals(",from=\"127.0.0.0/8\"", BackupKeys.from(List.of("127.0.0.11", "127.0.0.12")));
        assertEquals(",from=\"fd00::1/128,10.0.0.2/32\"", BackupKeys.from(List.of("fd00::1", "10.0.0.2")));
    }

    @Test
    void aHostNameLeavesTheKeysUnrestrictedByAddressBecauseSshdDoesNotResolveNames() {
        assertEquals("", BackupKeys.from(List.of("10.0.0.1", "db2.example.com")));
    }
}
