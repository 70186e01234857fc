package io.pgrds.apply;

import io.pgrds.transport.target.Become;
import io.pgrds.transport.target.SshSettings;
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

    @Test
    void theSshWrapperQuotesItsPathsForTheShellAndReadsAsBeforeForOrdinaryOnes() {
        io.pgrds.transport.target.SshSettings ssh = new io.pgrds.transport.target.SshSettings("pgrds", 22, java.util.Optional.empty(),
                java.util.Optional.empty(), io.pgrds.transport.target.Become.SUDO);
        assertEquals("#!/bin/sh\n# Written by pgrds: pgBackRest's cmd-ssh for backups from a standby.\nexec ssh -i "
                + "'/srv/pg1/data.pgrds/ssh/id_ed25519' -o IdentitiesOnly=yes -o UserKnownHostsFile="
                + "'/srv/pg1/data.pgrds/ssh/known_hosts' -o StrictHostKeyChecking=yes -o BatchMode=yes \"$@\"\n",
                BackupKeys.wrapper(new io.pgrds.desired.NodeSpec("pg1", "10.0.0.1", ssh, "/usr/lib/postgresql/15/bin",
                        "/srv/pg1/data", 5432)));
        assertEquals(true, BackupKeys.wrapper(new io.pgrds.desired.NodeSpec("pg1", "10.0.0.1", ssh, "/b",
                "/srv/it's", 5432)).contains("-i '/srv/it'\\''s.pgrds/ssh/id_ed25519'"));
    }
}
