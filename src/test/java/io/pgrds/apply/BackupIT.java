package io.pgrds.apply;

import io.pgrds.harness.TestHosts;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The backup scenarios with a posix repository: a directory on this machine that every node reaches. */
class BackupIT extends BackupScenarios {
    @RegisterExtension
    static final TestHosts hosts = TestHosts.create(3);

    @Override
    TestHosts hosts() {
        return hosts;
    }

    @Override
    String repositoryYaml() {
        return "main: {type: posix, path: " + stored() + "}";
    }

    @Override
    Path stored() {
        return hosts.root().resolve("repository");
    }

    @Override
    void emptyRepository() {
        hosts.tryRun("rm", "-rf", stored().toString());
        hosts.run("install", "-d", "-o", "postgres", "-g", "postgres", "-m", "0750", stored().toString());
    }
}
