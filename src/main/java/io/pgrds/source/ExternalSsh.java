package io.pgrds.source;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RemoteSession2;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.util.FS;

/**
 * Fetches over SSH with the system's {@code ssh} client, as git does: the operator's
 * {@code ~/.ssh/config}, agent, keys and {@code known_hosts} apply unchanged, and
 * {@code GIT_SSH_COMMAND} or {@code GIT_SSH} replace the client the same way they do for git.
 * {@code BatchMode} is on, so an unknown host key or a missing key fails instead of waiting for a
 * prompt nobody answers.
 */
final class ExternalSsh extends SshSessionFactory {
    private final Map<String, String> environment;

    /** @param environment the environment to take {@code GIT_SSH_COMMAND} and {@code GIT_SSH} from */
    ExternalSsh(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Override
    public RemoteSessionOverSsh getSession(URIish uri, CredentialsProvider credentials, FS fs, int timeoutSeconds) {
        return new RemoteSessionOverSsh(uri);
    }

    @Override
    public String getType() {
        return "pgrds-external-ssh";
    }

    /** The argv that runs {@code command} on the host of {@code uri}. */
    List<String> argv(URIish uri, String command, boolean sendProtocol) {
        String host = uri.getUser() == null ? uri.getHost() : uri.getUser() + "@" + uri.getHost();
        List<String> options = new ArrayList<>();
        if (uri.getPort() > 0) {
            options.add("-p");
            options.add(Integer.toString(uri.getPort()));
        }
        String sshCommand = environment.get("GIT_SSH_COMMAND");
        String ssh = environment.get("GIT_SSH");
        List<String> argv = new ArrayList<>();
        if (sshCommand != null && !sshCommand.isBlank()) {
            // like git: the value is shell code, the arguments follow it
            argv.addAll(List.of("/bin/sh", "-c", sshCommand + " \"$@\"", "ssh"));
        } else if (ssh != null && !ssh.isBlank()) {
            argv.add(ssh);
        } else {
            argv.addAll(List.of("ssh", "-o", "BatchMode=yes"));
            if (sendProtocol) {
                argv.addAll(List.of("-o", "SendEnv=GIT_PROTOCOL"));
            }
        }
        argv.addAll(options);
        argv.add(host);
        argv.add(command);
        return argv;
    }

    /**
     * The ssh process, except that {@link #exitValue()} waits (briefly) for it to exit. JGit reads the exit
     * status as soon as the remote side closed its output; on a busy machine the ssh client may not have exited
     * yet, and JGit then reported "process hasn't exited" instead of git's own error message.
     */
    static final class Exited extends Process {
        private final Process process;

        Exited(Process process) {
            this.process = process;
        }

        @Override
        public java.io.OutputStream getOutputStream() {
            return process.getOutputStream();
        }

        @Override
        public java.io.InputStream getInputStream() {
            return process.getInputStream();
        }

        @Override
        public java.io.InputStream getErrorStream() {
            return process.getErrorStream();
        }

        @Override
        public int waitFor() throws InterruptedException {
            return process.waitFor();
        }

        @Override
        public boolean waitFor(long timeout, java.util.concurrent.TimeUnit unit) throws InterruptedException {
            return process.waitFor(timeout, unit);
        }

        @Override
        public int exitValue() {
            try {
                process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return process.exitValue();
        }

        @Override
        public void destroy() {
            process.destroy();
        }

        @Override
        public Process destroyForcibly() {
            return process.destroyForcibly();
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public long pid() {
            return process.pid();
        }
    }

    final class RemoteSessionOverSsh implements RemoteSession2 {
        private final URIish uri;

        RemoteSessionOverSsh(URIish uri) {
            this.uri = uri;
        }

        @Override
        public Process exec(String command, int timeoutSeconds) throws IOException {
            return exec(command, Map.of(), timeoutSeconds);
        }

        @Override
        public Process exec(String command, Map<String, String> env, int timeoutSeconds) throws IOException {
            boolean sendProtocol = env != null && env.containsKey("GIT_PROTOCOL");
            ProcessBuilder builder = new ProcessBuilder(argv(uri, command, sendProtocol));
            if (env != null) {
                builder.environment().putAll(env);
            }
            return new Exited(builder.start());
        }

        @Override
        public void disconnect() {
            // each exec is its own ssh process; JGit ends it when the fetch is done
        }
    }
}
