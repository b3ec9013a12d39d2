package ssecluster.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpMethod;
import ssecluster.config.Settings;
import ssecluster.fanout.FanoutHub;
import ssecluster.namespace.InvalidNamespaceException;
import ssecluster.namespace.Namespace;
import ssecluster.namespace.Subscription;
import ssecluster.status.NodeCounters;
import ssecluster.wire.SseStream;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * {@code GET /subscribe/pets/dogs}, {@code GET /subscribe}, {@code GET /subscribe?ns=pets.dogs&ns=time}
 * (also {@code ns=pets,time}): opens an SSE stream of those namespaces and their descendants.
 * Once the stream is open the request's headers are cleared (the user agent is kept, shared, for
 * /admin/status.json).
 */
final class SubscribeHandler implements Handler<HttpServerRequest> {

  static final String PREFIX = "/subscribe";
  /** Namespaces one stream may name; keeps the per-stream reduction and registration work small. */
  static final int MAX_NAMESPACES_PER_STREAM = 64;
  private static final Logger log = Logger.getLogger(SubscribeHandler.class.getName());

  private final FanoutHub hub;
  private final NodeCounters counters;
  private final long retryMillis;
  private final SseStream.SlowClientPolicy slowClientPolicy;
  private final boolean directWrites;
  private final UserAgents userAgents = new UserAgents();

  SubscribeHandler(FanoutHub hub, NodeCounters counters, Settings settings) {
    this.hub = hub;
    this.counters = counters;
    this.retryMillis = settings.retryMillis();
    this.slowClientPolicy = new SseStream.SlowClientPolicy(settings.slowClientMillis(), settings.slowClientBytes());
    this.directWrites = settings.directWrites();
  }

  /** True for the requests this handler serves: {@code GET /subscribe} and {@code GET /subscribe/...}. */
  static boolean accepts(HttpServerRequest request) {
    String path = request.path();
    return request.method() == HttpMethod.GET && path.startsWith(PREFIX)
        && (path.length() == PREFIX.length() || path.charAt(PREFIX.length()) == '/');
  }

  /**
   * Served straight from the HTTP server, not through the vertx-web router: a stream lives for hours and
   * the router's per-request RoutingContext (with its maps and wrapper) would stay in memory as long;
   * without it an idle connection costs about 0.6 KB less (BENCHMARKS.md).
   */
  @Override
  public void handle(HttpServerRequest request) {
    Subscription subscription;
    try {
      subscription = Subscription.of(requestedNamespaces(request));
    } catch (InvalidNamespaceException e) {
      ErrorResponses.send(request.response(), 400, e.getMessage());
      return;
    }
    SseStream stream = new SseStream(request, subscription, slowClientPolicy, directWrites);
    stream.userAgent(userAgents.of(request.getHeader("User-Agent")));
    stream.onSlowDrop((s, reason) -> {
      counters.slowClientsDropped.increment();
      log.info("Disconnected slow client " + s.describe() + ": " + reason);
    });
    counters.connectionsOpened.increment();
    request.response().closeHandler(v -> hub.detach(stream));
    request.response().exceptionHandler(e -> hub.detach(stream));
    hub.attach(stream)
        .onSuccess(v -> {
          stream.open(retryMillis);
          // A stream lives for hours and nothing reads its request headers again; a browser's come to 1-2 KB
          // with its cookies and user agent, which every idle connection would otherwise keep.
          request.headers().clear();
        })
        .onFailure(e -> {
          if (!stream.isClosed()) {
            hub.detach(stream);
            ErrorResponses.send(request.response(), 503, "could not subscribe: " + e.getMessage());
          }
        });
  }

  /** The path names one namespace; {@code ns} parameters (repeated or comma-separated) add more. */
  private static List<Namespace> requestedNamespaces(HttpServerRequest request) {
    List<Namespace> namespaces = new ArrayList<>();
    String rest = request.path().substring(PREFIX.length());
    // Decoded here rather than with request.params(), which would keep its map for the stream's lifetime.
    List<String> params = request.query() == null ? List.of()
        : new QueryStringDecoder(request.uri()).parameters().getOrDefault("ns", List.of());
    Namespace fromPath = Namespace.fromPath(rest);
    if (!fromPath.isRoot() || params.isEmpty()) {
      namespaces.add(fromPath);
    }
    for (String param : params) {
      for (String name : param.split(",", -1)) {
        namespaces.add(Namespace.parse(name.trim()));
        if (namespaces.size() > MAX_NAMESPACES_PER_STREAM) {
          throw new InvalidNamespaceException(param, "more than " + MAX_NAMESPACES_PER_STREAM + " namespaces on one stream");
        }
      }
    }
    return namespaces;
  }
}
