package ssecluster.bench;

import io.vertx.core.json.JsonObject;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * GET /health on every node every few seconds for the whole run, as a load balancer does in production.
 *
 * <p>Without it the only /health requests a node saw were the bench's reads of its counters at the edges
 * of the window. Coming once after minutes of publishes, such a request takes branches the JIT had never
 * seen in the HTTP and JSON code the publishes share, so it threw that compiled code away, and the
 * recompiling fell inside the measured window (on the publishing node about a quarter of its CPU there).
 */
final class HealthChecks implements AutoCloseable {

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "bench-health-checks");
    thread.setDaemon(true);
    return thread;
  });

  /** Starts checking each server every {@code seconds} (nothing when 0). */
  HealthChecks(List<Servers.Server> servers, int seconds) {
    if (seconds > 0) {
      timer.scheduleAtFixedRate(() -> servers.forEach(HealthChecks::read), seconds, seconds, TimeUnit.SECONDS);
    }
  }

  /** The node's /health answer (empty when unreachable). */
  static JsonObject read(Servers.Server server) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://" + server.host() + ":" + server.port() + "/health")
          .toURL().openConnection();
      c.setConnectTimeout(2000);
      c.setReadTimeout(2000);
      try (InputStream in = c.getInputStream()) {
        return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (Exception e) {
      return new JsonObject();
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
