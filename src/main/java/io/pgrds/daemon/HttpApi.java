package io.pgrds.daemon;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pgrds.error.ErrorCode;
import io.pgrds.error.PgrdsException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's HTTP endpoints: {@code GET /healthz}, {@code GET /metrics} (Prometheus), {@code GET /status}
 * (JSON) and {@code POST /hooks/git} (a signed push runs every cluster now).
 */
final class HttpApi {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final int MAX_BODY = 4 * 1024 * 1024;

    private final Daemon daemon;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "pgrds-http");
        t.setDaemon(true);
        return t;
    });

    HttpApi(Daemon daemon, InetSocketAddress address) {
        this.daemon = daemon;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new PgrdsException(ErrorCode.IO, "Unable to listen on " + address.getHostString() + " port "
                    + address.getPort() + ": " + e.getMessage() + " (another process may use the port). Stop it, or "
                    + "choose another address with --http HOST:PORT (port 0: any free port; off: none).", e);
        }
        server.setExecutor(threads);
        server.createContext("/healthz", x -> handle(x, "GET", this::healthz));
        server.createContext("/metrics", x -> handle(x, "GET", this::metrics));
        server.createContext("/status", x -> handle(x, "GET", this::status));
        server.createContext("/hooks/git", x -> handle(x, "POST", this::hook));
    }

    HttpApi start() {
        server.start();
        return this;
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    void stop() {
        server.stop(0);
        threads.shutdown();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private interface Handler {
        void handle(HttpExchange x) throws Exception;
    }

    private void handle(HttpExchange x, String method, Handler h) throws IOException {
        try (x) {
            if (!x.getRequestURI().getPath().equals(x.getHttpContext().getPath())) {
                send(x, 404, "text/plain; charset=utf-8", "not found\n");
            } else if (!x.getRequestMethod().equals(method)) {
                x.getResponseHeaders().set("Allow", method);
                send(x, 405, "text/plain; charset=utf-8", "use " + method + "\n");
            } else {
                h.handle(x);
            }
        } catch (Exception e) {
            LOG.warn("HTTP {} {}: {}", x.getRequestMethod(), x.getRequestURI(), e.toString());
        }
    }

    private void healthz(HttpExchange x) throws IOException {
        boolean up = daemon.running();
        send(x, up ? 200 : 503, "text/plain; charset=utf-8", up ? "ok\n" : "stopped\n");
    }

    /** OpenMetrics when the scraper's {@code Accept} asks for it, the Prometheus text format otherwise. */
    private void metrics(HttpExchange x) throws IOException {
        Metrics.Scrape s = daemon.metrics().scrape(Optional.ofNullable(x.getRequestHeaders()
                .getFirst("Accept")).orElse(""));
        send(x, 200, s.contentType(), s.body());
    }

    private void status(HttpExchange x) throws IOException {
        send(x, 200, "application/json", StatusJson.render(daemon.statuses(), daemon.running(), daemon.watches(),
                daemon.statusSource()));
    }

    private void hook(HttpExchange x) throws Exception {
        Optional<byte[]> secret = daemon.config().webhookSecret();
        byte[] body = read(x.getRequestBody());
        if (secret.isEmpty()) {
            send(x, 403, "text/plain; charset=utf-8", "the webhook is disabled: start the daemon with "
                    + "--webhook-secret-file to accept signed pushes\n");
            return;
        }
        if (body == null) {
            send(x, 413, "text/plain; charset=utf-8", "body larger than " + MAX_BODY + " bytes\n");
            return;
        }
        Webhook.Verdict v = Webhook.verify(secret.get(),
                Optional.ofNullable(x.getRequestHeaders().getFirst(Webhook.GITHUB_HEADER)),
                Optional.ofNullable(x.getRequestHeaders().getFirst(Webhook.GITLAB_HEADER)), body);
        if (!v.accepted()) {
            LOG.warn("webhook from {} refused: {}", x.getRemoteAddress(), v.reason());
            send(x, 401, "text/plain; charset=utf-8", v.reason() + "\n");
            return;
        }
        daemon.triggerAll();
        LOG.info("webhook from {}: {}; running every cluster now", x.getRemoteAddress(), v.reason());
        send(x, 202, "text/plain; charset=utf-8", "accepted: every cluster runs now\n");
    }

    /** The body, or null when it is larger than the limit. */
    private static byte[] read(InputStream in) throws IOException {
        byte[] b = in.readNBytes(MAX_BODY + 1);
        return b.length > MAX_BODY ? null : b;
    }

    private static void send(HttpExchange x, int code, String type, String text) throws IOException {
        send(x, code, type, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange x, int code, String type, byte[] b) throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        x.sendResponseHeaders(code, b.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(b);
        }
    }
}
