package ssecluster.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpMethod;
import ssecluster.config.Settings;
import ssecluster.fanout.FanoutHub;
import ssecluster.fanout.LoopFanout;
import ssecluster.fanout.Resumer;
import ssecluster.fanout.Subscriber;
import ssecluster.history.StreamPosition;
import ssecluster.namespace.InvalidNamespaceException;
import ssecluster.namespace.Namespace;
import ssecluster.namespace.Subscription;
import ssecluster.status.NodeCounters;
import ssecluster.wire.SseStream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code GET /subscribe/pets/dogs}, {@code GET /subscribe}, {@code GET /subscribe?ns=pets.dogs&ns=time}
 * (also {@code ns=pets,time}): opens an SSE stream of those namespaces and their descendants. When the node
 * has a subscribe secret, the stream needs a token whose {@code subscribe} claim covers every namespace
 * asked for ({@link NamespaceTokens}), and ends when the token expires. A stream opened with a position
 * ({@code Last-Event-ID}, which EventSource sends when it reconnects, or {@code ?lastEventId=} /
 * {@code ?last_event_id=}) is first sent what it missed ({@link Resumer}).
 * Once the stream is open the request's headers are cleared (the user agent is kept, shared, for
 * /admin/status.json).
 */
final class SubscribeHandler implements Handler<HttpServerRequest> {

  static final String PREFIX = "/subscribe";
  static final String ACCESS_TOKEN = "access_token";
  /** Where a resume starts, in the query (the header, which EventSource updates on each reconnect, wins). */
  static final List<String> LAST_EVENT_ID_PARAMS = List.of("lastEventId", "last_event_id");
  /** Asks a resumed stream to announce how many replayed events follow (an sse-replay event). */
  static final String MARK_REPLAY = "markReplay";
  private static final String MISSING_TOKEN =
      "subscribing needs a token: 'Authorization: Bearer <JWT>' or ?access_token=<JWT>";
  private static final Logger log = Logger.getLogger(SubscribeHandler.class.getName());

  private final FanoutHub hub;
  private final LoopFanout loop;
  private final Resumer resumer;
  /** Messages carry history's sequences: multiplexed and resumed streams send ids of their own. */
  private final boolean sequenced;
  private final NodeCounters counters;
  private final long retryMillis;
  private final SseStream.SlowClientPolicy slowClientPolicy;
  private final boolean directWrites;
  private final UserAgents userAgents = new UserAgents();
  private final Vertx vertx;
  /** Null when anyone may subscribe. */
  private final NamespaceTokens tokens;

  private final CrossOrigin crossOrigin;

  SubscribeHandler(Vertx vertx, FanoutHub hub, LoopFanout loop, Resumer resumer, boolean sequenced,
                   NodeCounters counters, Settings settings, CrossOrigin crossOrigin) {
    this.vertx = vertx;
    this.loop = loop;
    this.resumer = resumer;
    this.sequenced = sequenced;
    this.crossOrigin = crossOrigin;
    this.tokens = settings.subscribeJwtSecret().isEmpty() ? null
        : new NamespaceTokens(vertx, settings.subscribeJwtSecret(), NamespaceTokens.SUBSCRIBE, settings.jwtAllowNoExp());
    this.hub = hub;
    this.counters = counters;
    this.retryMillis = settings.retryMillis();
    this.slowClientPolicy = new SseStream.SlowClientPolicy(settings.slowClientMillis(), settings.slowClientBytes());
    this.directWrites = settings.directWrites();
  }

  /** True for the requests this handler serves: GET or HEAD {@code /subscribe} and {@code /subscribe/...}. */
  static boolean accepts(HttpServerRequest request) {
    String path = path(request);
    return (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD) && path.startsWith(PREFIX)
        && (path.length() == PREFIX.length() || path.charAt(PREFIX.length()) == '/');
  }

  /**
   * Served straight from the HTTP server, not through the vertx-web router: a stream lives for hours and
   * the router's per-request RoutingContext (with its maps and wrapper) would stay in memory as long;
   * without it an idle connection costs about 0.6 KB less (BENCHMARKS.md).
   */
  @Override
  public void handle(HttpServerRequest request) {
    crossOrigin.decorate(request);
    // Decoded here rather than with request.params(), which would keep its map for the stream's lifetime.
    Map<String, List<String>> query = request.query() == null ? Map.of()
        : new QueryStringDecoder(request.uri()).parameters();
    Subscription subscription;
    try {
      subscription = Subscription.of(requestedNamespaces(path(request), query.getOrDefault("ns", List.of())));
    } catch (InvalidNamespaceException e) {
      ErrorResponses.send(request.response(), 400, e.getMessage());
      return;
    }
    StreamPosition position = positionOf(request, query);
    boolean markReplay = "true".equals(first(query, MARK_REPLAY));
    if (tokens == null) {
      open(request, subscription, null, position, markReplay);
      return;
    }
    tokens.check(tokenOf(request, query), subscription.namespaces(), MISSING_TOKEN).onComplete(checked -> {
      if (request.response().closed()) {
        return;
      }
      if (checked.succeeded()) {
        open(request, subscription, checked.result(), position, markReplay);
      } else if (checked.cause() instanceof NamespaceTokens.Refused refused) {
        counters.unauthorizedSubscriptions.increment();
        refused.answer(request.response());
      } else {
        log.log(Level.WARNING, "Could not check the token of a stream of " + request.path(), checked.cause());
        ErrorResponses.send(request.response(), 500, "could not check the token");
      }
    });
  }

  /** The bearer token, or else {@code ?access_token=}: EventSource cannot set headers (RFC 6750, 2.3). */
  private static String tokenOf(HttpServerRequest request, Map<String, List<String>> query) {
    String token = NamespaceTokens.bearer(request.getHeader("Authorization"));
    if (token != null) {
      return token;
    }
    List<String> fromQuery = query.get(ACCESS_TOKEN);
    return fromQuery == null || fromQuery.isEmpty() ? null : fromQuery.get(0);
  }

  private static String first(Map<String, List<String>> query, String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** Where the client asks to resume from, or null for a stream that starts now. */
  private static StreamPosition positionOf(HttpServerRequest request, Map<String, List<String>> query) {
    String header = request.getHeader("Last-Event-ID");
    if (header != null && !header.isEmpty()) {
      return StreamPosition.parse(header.trim());
    }
    for (String param : LAST_EVENT_ID_PARAMS) {
      List<String> values = query.get(param);
      if (values != null && !values.isEmpty() && !values.get(0).isEmpty()) {
        return StreamPosition.parse(values.get(0).trim());
      }
    }
    return null;
  }

  /**
   * Opens the stream, resuming it from {@code position} when there is one; with a {@code grant} that expires,
   * the stream ends then, and the client needs a new token.
   */
  private void open(HttpServerRequest request, Subscription subscription, NamespaceTokens.Grant grant,
                    StreamPosition position, boolean markReplay) {
    if (request.method() == HttpMethod.HEAD) {
      answerHead(request);
      return;
    }
    SseStream stream = new SseStream(request, subscription, slowClientPolicy, directWrites);
    Subscriber subscriber = new Subscriber(stream, subscription, sequenced, position != null,
        slowClientPolicy.maxLagBytes());
    stream.userAgent(userAgents.of(request.getHeader("User-Agent")));
    stream.onSlowDrop((s, reason) -> {
      counters.slowClientsDropped.increment();
      log.info("Disconnected slow client " + s.describe() + ": " + reason);
    });
    counters.connectionsOpened.increment();
    long expiry = grant == null || grant.expiresAtMillis() == 0 ? -1
        : vertx.setTimer(Math.max(1, grant.expiresAtMillis() - System.currentTimeMillis()), t -> {
          if (!stream.isClosed()) {
            counters.streamsExpired.increment();
            stream.end();
            hub.detach(subscriber, loop);
          }
        });
    // A stream that ends another way (client gone, node shutdown) cancels its timer, which would otherwise
    // keep it in memory until the token's expiry.
    request.response().closeHandler(v -> {
      cancel(expiry);
      stream.markClosed();
      hub.detach(subscriber, loop);
    });
    if (expiry >= 0) {
      request.response().endHandler(v -> cancel(expiry)); // set only here: idle streams stay as small as before
    }
    request.response().exceptionHandler(e -> {
      stream.markClosed();
      hub.detach(subscriber, loop);
    });
    Runnable openStream = () -> {
      stream.open(retryMillis);
      // A stream lives for hours and nothing reads its request headers again; a browser's come to 1-2 KB
      // with its cookies and user agent, which every idle connection would otherwise keep.
      request.headers().clear();
    };
    hub.attach(subscriber, loop)
        .onSuccess(v -> {
          if (position == null) {
            openStream.run();
          } else {
            resumer.resume(subscriber, position, markReplay, openStream);
          }
        })
        .onFailure(e -> {
          cancel(expiry);
          if (!stream.isClosed()) {
            hub.detach(subscriber, loop);
            ErrorResponses.send(request.response(), 503, "could not subscribe: " + e.getMessage());
          }
        });
  }

  /**
   * HEAD gets what GET would get, without the body (RFC 9110, 9.3.2): the same checks and refusals, and for a
   * stream that would open, the stream's status and headers (those SseStream#open sends); no stream opens.
   */
  private static void answerHead(HttpServerRequest request) {
    request.response().setStatusCode(200)
        .putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no")
        .end();
  }

  private void cancel(long timer) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /**
   * The request's path with runs of '/' made one, as the router (which serves every other path) sees it:
   * a client whose base URL ends in '/' asks for {@code //subscribe/pets}.
   */
  private static String path(HttpServerRequest request) {
    String path = request.path();
    return path.contains("//") ? path.replaceAll("/{2,}", "/") : path;
  }

  /**
   * The path names one namespace; {@code ns} parameters (repeated or comma-separated) add more. Each item
   * must be a namespace: an empty one ({@code ns=}, {@code ns=a,,b}, {@code ns=pets,}) is refused rather than
   * read as the root, which would quietly stream everything. Spaces around an item are ignored.
   */
  private static List<Namespace> requestedNamespaces(String path, List<String> params) {
    List<Namespace> namespaces = new ArrayList<>();
    String rest = path.substring(PREFIX.length());
    Namespace fromPath = Namespace.fromPath(rest);
    if (!fromPath.isRoot() || params.isEmpty()) {
      namespaces.add(fromPath);
    }
    for (String param : params) {
      for (String name : param.split(",", -1)) {
        if (name.isBlank()) {
          throw new InvalidNamespaceException(param, "empty item in ?ns= (every item must be a namespace;"
              + " for everything, ask for /subscribe without ns)");
        }
        if (namespaces.size() == Subscription.MAX_NAMESPACES) {
          throw InvalidNamespaceException.tooMany(Subscription.MAX_NAMESPACES);
        }
        namespaces.add(Namespace.parse(name.trim()));
      }
    }
    return namespaces;
  }
}
