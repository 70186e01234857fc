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
final class ExternalSsh extends SshSessionFactory implements AutoCloseable {
    private final Map<String, String> environment;
    /** Each ssh process started, with the file its stderr goes to (read once it exited: never a race). */
    private final List<Exited> started = java.util.Collections.synchronizedList(new ArrayList<>());

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

    /**
     * git's error from the ssh processes of this fetch: its {@code fatal:} lines, else its last line; empty when
     * they wrote nothing. Waits for the processes to exit, so the text is complete.
     */
    String remoteError() {
        List<String> lines = new ArrayList<>();
        synchronized (started) {
            for (Exited p : started) {
                p.stderr().lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(lines::add);
            }
        }
        List<String> fatal = lines.stream().filter(l -> l.startsWith("fatal:")).toList();
        if (!fatal.isEmpty()) {
            return String.join(" ", fatal);
        }
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    @Override
    public void close() {
        synchronized (started) {
            started.forEach(Exited::delete);
            started.clear();
        }
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
        private final java.nio.file.Path stderr;

        Exited(Process process, java.nio.file.Path stderr) {
            this.process = process;
            this.stderr = stderr;
        }

        /** What the process wrote on stderr, once it exited (waiting up to 10 s). */
        String stderr() {
            try {
                process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                return java.nio.file.Files.readString(stderr, java.nio.charset.StandardCharsets.UTF_8);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "";
            } catch (IOException e) {
                return "";
            }
        }

        void delete() {
            try {
                java.nio.file.Files.deleteIfExists(stderr);
            } catch (IOException e) {
                // a temporary file; the system cleans it eventually
            }
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
            return java.io.InputStream.nullInputStream(); // stderr goes to a file, read by remoteError()
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
            java.nio.file.Path stderr = java.nio.file.Files.createTempFile("pgrds-ssh-", ".err");
            builder.redirectError(stderr.toFile());
            Exited process = new Exited(builder.start(), stderr);
            started.add(process);
            return process;
        }

        @Override
        public void disconnect() {
            // each exec is its own ssh process; JGit ends it when the fetch is done
        }
    }
}
