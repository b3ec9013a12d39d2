package ssecluster.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import ssecluster.admin.ClusterStatus;
import ssecluster.bus.Publisher;
import ssecluster.config.Settings;
import ssecluster.fanout.FanoutHub;
import ssecluster.fanout.LoopFanout;
import ssecluster.fanout.Resumer;
import ssecluster.history.HistoryStore;
import ssecluster.status.NodeCounters;
import ssecluster.status.NodeMetrics;
import ssecluster.status.NodeState;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One instance per event loop; all instances share the node's ports. Serves the SSE streams, the publish
 * endpoint, health, metrics, the admin data and console, and the single-page app, over HTTP/1.1 and h2c on the
 * HTTP port and over h2 and HTTP/1.1 (ALPN) on the HTTPS port.
 */
public final class HttpServerVerticle extends VerticleBase {

  /**
   * A request line long enough for a stream of {@link ssecluster.namespace.Subscription#MAX_NAMESPACES}
   * namespaces of up to 32 characters each ({@code ?ns=a,b,...}: 1,024 x 33 bytes), plus an access token and a
   * Last-Event-ID in the query; Vert.x's default is 4 KiB.
   */
  static final int MAX_REQUEST_LINE_BYTES = 40 * 1024;
  /** HTTP/2 carries the request line in its headers (:path): the same room, plus the usual 8 KiB of headers. */
  static final int MAX_HEADER_LIST_BYTES = MAX_REQUEST_LINE_BYTES + 8 * 1024;

  /** Enough concurrent streams for a browser tab holding one EventSource per namespace on one connection. */
  static final int MAX_CONCURRENT_STREAMS = 1000;

  private final Settings settings;
  private final FanoutHub hub;
  private final HistoryStore history;
  private final Publisher publisher;
  private final NodeCounters counters;
  private final NodeState state;
  private final NodeMetrics metrics;
  private final KeyCertOptions tlsCertificate;
  private final StaticAssets assets;
  private final ClusterStatus cluster;
  private final List<HttpServer> servers = new ArrayList<>();
  private SubscribeHandler subscribe;
  private CrossOrigin crossOrigin;
  /** The fan-out of this verticle's event loop: its streams, their batching and keepalives. */
  private LoopFanout loop;
  private StepDownGate stepDownGate;
  private ConnectionDeadlines deadlines;

  public HttpServerVerticle(Settings settings, FanoutHub hub, HistoryStore history, Publisher publisher,
                            NodeCounters counters, NodeState state, NodeMetrics metrics, KeyCertOptions tlsCertificate,
                            StaticAssets assets, ClusterStatus cluster) {
    this.settings = settings;
    this.hub = hub;
    this.history = history;
    this.publisher = publisher;
    this.counters = counters;
    this.state = state;
    this.metrics = metrics;
    this.tlsCertificate = tlsCertificate;
    this.assets = assets;
    this.cluster = cluster;
  }

  @Override
  public Future<?> start() {
    crossOrigin = CrossOrigin.of(settings.corsOrigins());
    loop = hub.loopFanout(context);
    stepDownGate = new StepDownGate(state, crossOrigin, settings.retryMillis());
    subscribe = new SubscribeHandler(vertx, hub, loop, new Resumer(history, counters), history.keeps(), counters,
        settings, crossOrigin);
    deadlines = new ConnectionDeadlines(vertx, new ConnectionDeadlines.Timeouts(
        settings.headerTimeoutMillis(), settings.bodyTimeoutMillis(), settings.idleTimeoutMillis()));
    Router router = router();
    Http2Settings http2 = new Http2Settings().setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS)
        .setMaxHeaderListSize(MAX_HEADER_LIST_BYTES);
    HttpServerOptions plain = new HttpServerOptions()
        .setHost(settings.host())
        .setPort(settings.httpPort())
        .setHttp2ClearTextEnabled(true)
        .setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES)
        .setInitialSettings(http2);
    withoutWebSockets(plain);
    closingSilentConnections(plain);
    List<Future<HttpServer>> listening = new ArrayList<>();
    listening.add(listen(plain, router));
    if (settings.httpsPort() >= 0) {
      HttpServerOptions tls = new HttpServerOptions()
          .setHost(settings.host())
          .setPort(settings.httpsPort())
          .setSsl(true)
          .setUseAlpn(true)
          .setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES)
          .setKeyCertOptions(tlsCertificate)
          .setInitialSettings(http2);
      withoutWebSockets(tls);
      closingSilentConnections(tls);
      listening.add(listen(tls, router));
    }
    return Future.all(listening);
  }

  /**
   * We serve no WebSockets. With WebSocket compression on (Vert.x's default) every HTTP/1.1 connection
   * carries a WebSocket extension handler that inspects each outbound write; a profile of the SSE
   * fan-out showed it at ~5% of the node's CPU (BENCHMARKS.md).
   */
  private static void withoutWebSockets(HttpServerOptions options) {
    options.setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false);
  }

  /**
   * Until its first request head is complete (plain port; TLS: until its handshake is done) a connection does
   * not reach the connection handler, where ConnectionDeadlines starts to watch it. In that time the server
   * writes nothing, so a write-idle timeout closes it after the header timeout, however slowly the client
   * trickles bytes (a read or all-idle timeout would be reset by each). ConnectionPipeline takes the timeout
   * off in the connection handler.
   */
  private void closingSilentConnections(HttpServerOptions options) {
    options.setWriteIdleTimeout((int) settings.headerTimeoutMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
  }

  private Future<HttpServer> listen(HttpServerOptions options, Router router) {
    HttpServer server = vertx.createHttpServer(options)
        .connectionHandler(connection -> {
          ConnectionPipeline.adjust(connection);
          // Works around two ways Vert.x 5.0.10 can freeze an HTTP/2 connection carrying many streams.
          Http2StallGuard.install(connection);
          deadlines.opened(connection);
        })
        .invalidRequestHandler(ErrorResponses::invalidRequest)
        .requestHandler(request -> {
          deadlines.requestArrived(request);
          if (!RequestChecks.pass(request)) {
            return;
          }
          if (SubscribeHandler.accepts(request)) {
            if (!stepDownGate.refusedStream(request)) {
              subscribe.handle(request);
            }
          } else {
            router.handle(request);
          }
        });
    servers.add(server);
    return server.listen();
  }

  private Router router() {
    Router router = Router.router(vertx);
    // Preflights of pages on other origins (--cors-origins); the answers of the routes below carry the headers.
    router.route().method(HttpMethod.OPTIONS).handler(crossOrigin.preflight());
    // GET and HEAD /subscribe are served before the router (see SubscribeHandler#handle); other methods get 405 here.
    router.routeWithRegex(SubscribeHandler.PREFIX + "(/.*)?").handler(ctx -> {
      ctx.response().putHeader("Allow", "GET, HEAD");
      ctx.fail(405);
    });
    router.postWithRegex(PublishHandler.PREFIX + "(/.*)?")
        .handler(crossOrigin.decorating())
        .handler(BodyHandler.create(false).setBodyLimit(settings.maxBodyBytes()))
        .handler(stepDownGate.publishes())
        .handler(new PublishHandler(publisher, counters, settings.publishJwtSecret().isEmpty() ? null
            : new NamespaceTokens(vertx, settings.publishJwtSecret(), NamespaceTokens.PUBLISH, settings.jwtAllowNoExp())));
    router.get("/health").handler(crossOrigin.decorating()).handler(new HealthHandler(state, counters));
    router.get("/metrics").handler(new MetricsHandler(metrics));
    adminRoutes(router);
    // The SPA (push, early hints, ETag, gzip/br, SPA fallback): keep it the last route, it takes every GET.
    router.route().method(HttpMethod.GET).method(HttpMethod.HEAD).handler(new AssetHandler(assets));
    router.route().failureHandler(ErrorResponses::onFailure);
    router.errorHandler(404, ErrorResponses::onFailure);
    router.errorHandler(405, ErrorResponses::onFailure);
    return router;
  }

  /** The admin data behind {@link AdminAccess}, and the console's page and files, which hold no data. */
  private void adminRoutes(Router router) {
    AdminAccess access = new AdminAccess(vertx, settings.adminRemote(), settings.adminJwtSecret(),
        settings.jwtAllowNoExp());
    router.get("/admin/status.json").handler(access)
        .handler(new AdminJsonHandler(AdminJsonHandler.STATUS_LIMIT, cluster.local()::encodedStatus));
    router.get("/admin/cluster.json").handler(access)
        .handler(new AdminJsonHandler(AdminJsonHandler.CLUSTER_LIMIT, cluster::gather));
    router.get("/admin/cluster.stream").handler(access).handler(new AdminClusterStream(cluster, settings.retryMillis()));
    router.routeWithRegex("/admin(/.*)?").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(new AdminPageHandler(assets));
  }

  /** Actual HTTP port (differs from the setting when that is 0). */
  public int httpPort() {
    return servers.get(0).actualPort();
  }

  /** Actual HTTPS port, or -1 when HTTPS is off. */
  public int httpsPort() {
    return servers.size() > 1 ? servers.get(1).actualPort() : -1;
  }

  /** Ends this event loop's streams (the node stepped down), so their clients reconnect to another node. */
  public void endStreams() {
    context.runOnContext(v -> hub.endStreams(loop));
  }

  @Override
  public Future<?> stop() {
    // End the streams first so clients see a clean end of stream and reconnect to another node.
    hub.endStreams(loop);
    deadlines.stop();
    List<Future<Void>> closing = new ArrayList<>();
    for (HttpServer server : servers) {
      closing.add(server.close());
    }
    return Future.all(closing);
  }
}
