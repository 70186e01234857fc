package io.pgrds.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.Test;

class ExternalSshTest {

    @Test
    void sshRunsInBatchModeWithPortAndUser() throws Exception {
        ExternalSsh ssh = new ExternalSsh(Map.of());
        assertEquals(List.of("ssh", "-o", "BatchMode=yes", "-p", "2222", "git@git.example.com",
                        "git-upload-pack '/fleet.git'"),
                ssh.argv(new URIish("ssh://git@git.example.com:2222/fleet.git"), "git-upload-pack '/fleet.git'", false));
        assertEquals(List.of("ssh", "-o", "BatchMode=yes", "-o", "SendEnv=GIT_PROTOCOL", "git.example.com",
                        "git-upload-pack 'platform/fleet.git'"),
                ssh.argv(new URIish("git.example.com:platform/fleet.git"), "git-upload-pack 'platform/fleet.git'", true));
    }

    @Test
    void sshHonoursGitSshCommandAsGitDoes() throws Exception {
        ExternalSsh ssh = new ExternalSsh(Map.of("GIT_SSH_COMMAND", "ssh -i /keys/deploy"));
        assertEquals(List.of("/bin/sh", "-c", "ssh -i /keys/deploy \"$@\"", "ssh", "-p", "2222", "git.example.com",
                        "git-upload-pack '/fleet.git'"),
                ssh.argv(new URIish("ssh://git.example.com:2222/fleet.git"), "git-upload-pack '/fleet.git'", true));
    }

    @Test
    void sshHonoursGitSsh() throws Exception {
        ExternalSsh ssh = new ExternalSsh(Map.of("GIT_SSH", "/usr/local/bin/my-ssh"));
        assertEquals(List.of("/usr/local/bin/my-ssh", "git@git.example.com", "git-upload-pack 'fleet.git'"),
                ssh.argv(new URIish("git@git.example.com:fleet.git"), "git-upload-pack 'fleet.git'", false));
    }
}
