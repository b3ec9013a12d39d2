package ssecluster.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Bounds how long a connection may hold a socket without getting anywhere, so that slow or silent clients
 * (slowloris) cannot pile up connections until file descriptors run out:
 * <ul>
 *   <li>a new connection must complete a request head (HTTP/2: open a stream) within the header timeout;
 *   it is closed without an answer otherwise, as nginx does. Until the first head is complete on the plain
 *   port (on the TLS port: until the handshake is done) Vert.x's write-idle timeout, set to the same value,
 *   does this (see HttpServerVerticle and {@link ConnectionPipeline}); from the connection handler on, this
 *   class does;</li>
 *   <li>a request body must have arrived in full within the body timeout of its head: {@code 408}, then the
 *   connection is closed (HTTP/2: the stream is reset);</li>
 *   <li>a connection with no request in progress is closed after the idle timeout: HTTP/1.1 keep-alive
 *   between requests (so the next head, however slowly sent, must be complete by then), HTTP/2 without
 *   streams (pings do not keep it).</li>
 * </ul>
 * An open event stream is a request in progress: it is never cut for a quiet client, however long it lasts
 * (its own lifecycle, keepalives and slow-client policy are wire.SseStream's).
 * <p>
 * One instance per HTTP server verticle; every method runs on its event loop, as the connection and request
 * handlers of its servers do. One timer per loop looks at the connections once a second, so each bound holds
 * to within a second; nothing is added to a request's or a stream's own path but one list entry.
 */
final class ConnectionDeadlines {

  static final long TICK_MILLIS = 1000;

  /** The bounds, in milliseconds. */
  record Timeouts(long headerMillis, long bodyMillis, long idleMillis) {
  }

  /**
   * Connections by their socket's two ends: an HTTP/1.1 connection upgraded to h2c becomes a new connection
   * object for the same socket, which must take over the entry (the old one never gets a request).
   */
  private record Endpoints(SocketAddress remote, SocketAddress local) {
    static Endpoints of(HttpConnection connection) {
      return new Endpoints(connection.remoteAddress(true), connection.localAddress(true));
    }
  }

  /** A request whose body or answer is not complete. */
  private record Pending(HttpServerRequest request, long arrivedAtMillis) {
    boolean done() {
      HttpServerResponse response = request.response();
      return response.closed() || (response.ended() && request.isEnded());
    }
  }

  private static final class Tracked {
    final HttpConnection connection;
    final List<Pending> inProgress = new ArrayList<>(1);
    /** Since when nothing has been in progress; -1 while something is. */
    long quietSinceMillis;
    /** Whether a request ran on it: then a quiet spell is bounded by the idle timeout, else by the header timeout. */
    boolean hadRequest;

    Tracked(HttpConnection connection, long nowMillis) {
      this.connection = connection;
      this.quietSinceMillis = nowMillis;
    }
  }

  private final Vertx vertx;
  private final Timeouts timeouts;
  private final Map<Endpoints, Tracked> connections = new HashMap<>();
  private final long timer;

  ConnectionDeadlines(Vertx vertx, Timeouts timeouts) {
    this.vertx = vertx;
    this.timeouts = timeouts;
    this.timer = vertx.setPeriodic(TICK_MILLIS, id -> check());
  }

  /** From the server's connection handler. */
  void opened(HttpConnection connection) {
    track(connection);
  }

  /** From the server's request handler, for every request, before it is handled. */
  void requestArrived(HttpServerRequest request) {
    Tracked tracked = connections.get(Endpoints.of(request.connection()));
    if (tracked == null || tracked.connection != request.connection()) {
      tracked = track(request.connection());
    }
    tracked.inProgress.add(new Pending(request, nowMillis()));
    tracked.quietSinceMillis = -1;
    tracked.hadRequest = true;
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  private Tracked track(HttpConnection connection) {
    Endpoints endpoints = Endpoints.of(connection);
    Tracked tracked = new Tracked(connection, nowMillis());
    connections.put(endpoints, tracked);
    connection.closeHandler(v -> connections.remove(endpoints, tracked));
    return tracked;
  }

  private void check() {
    long now = nowMillis();
    List<Endpoints> toClose = new ArrayList<>();
    List<HttpServerRequest> tooSlow = new ArrayList<>();
    for (Map.Entry<Endpoints, Tracked> entry : connections.entrySet()) {
      Tracked tracked = entry.getValue();
      List<Pending> inProgress = tracked.inProgress;
      inProgress.removeIf(Pending::done);
      for (int i = inProgress.size() - 1; i >= 0; i--) {
        Pending pending = inProgress.get(i);
        if (!pending.request().isEnded() && now - pending.arrivedAtMillis() >= timeouts.bodyMillis()) {
          tooSlow.add(pending.request());
          inProgress.remove(i);
        }
      }
      if (!inProgress.isEmpty()) {
        tracked.quietSinceMillis = -1;
        continue;
      }
      if (tracked.quietSinceMillis < 0) {
        tracked.quietSinceMillis = now;
      }
      long bound = tracked.hadRequest ? timeouts.idleMillis() : timeouts.headerMillis();
      if (now - tracked.quietSinceMillis >= bound) {
        toClose.add(entry.getKey());
      }
    }
    // Acted on after the walk: closing can run a close handler, which changes the map, on the spot.
    for (HttpServerRequest request : tooSlow) {
      bodyTooSlow(request);
    }
    for (Endpoints endpoints : toClose) {
      Tracked tracked = connections.remove(endpoints);
      if (tracked != null) {
        tracked.connection.close();
      }
    }
  }

  private void bodyTooSlow(HttpServerRequest request) {
    boolean http2 = request.version() == HttpVersion.HTTP_2;
    if (request.response().headWritten()) {
      // Answered already (a 413 on the declared length, say) while the rest of the body is dragged out.
      if (http2) {
        request.response().reset();
      } else {
        request.connection().close();
      }
      return;
    }
    String message = "the request body did not arrive within " + timeouts.bodyMillis() / 1000 + " s";
    if (http2) {
      ErrorResponses.send(request, 408, message);
    } else {
      ErrorResponses.sendAndClose(request, 408, message);
    }
  }

  private static long nowMillis() {
    return System.nanoTime() / 1_000_000;
  }
}
