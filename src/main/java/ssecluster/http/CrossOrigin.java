package ssecluster.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which other web origins may use the streams and the publish endpoint from a browser (CORS), so a page
 * served from {@code https://app.example} can open {@code new EventSource('https://push.example/subscribe/pets')}.
 * Browsers enforce it: this class only adds {@code Access-Control-Allow-Origin} for allowed origins and
 * answers preflights; requests without an allowed origin are served as before (same-origin pages, curl).
 * Never with credentials: tokens travel as {@code ?access_token=} or a bearer header, not cookies.
 */
final class CrossOrigin {

  static final String ALLOWED_METHODS = "GET, POST";
  /** Authorization for tokens, Content-Type for JSON bodies, Last-Event-ID for fetch-based SSE clients. */
  static final String ALLOWED_HEADERS = "Authorization, Content-Type, Last-Event-ID";
  static final int PREFLIGHT_MAX_AGE_SECONDS = 600;

  private final boolean anyOrigin;
  private final Set<String> origins;

  private CrossOrigin(boolean anyOrigin, Set<String> origins) {
    this.anyOrigin = anyOrigin;
    this.origins = origins;
  }

  /** From {@code Settings.corsOrigins()}: none, {@code ["*"]} for any, or exact origins (lower case). */
  static CrossOrigin of(List<String> allowed) {
    return allowed.equals(List.of("*")) ? new CrossOrigin(true, Set.of()) : new CrossOrigin(false, Set.copyOf(allowed));
  }

  boolean enabled() {
    return anyOrigin || !origins.isEmpty();
  }

  private boolean allows(String origin) {
    return origin != null && (anyOrigin || origins.contains(origin.toLowerCase(Locale.ROOT)));
  }

  /** Adds the CORS headers an allowed origin needs to read this response. */
  void decorate(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    if (!anyOrigin && enabled()) {
      // The answer depends on Origin, so caches must keep one copy per origin.
      response.headers().add("Vary", "Origin");
    }
    String origin = request.getHeader("Origin");
    if (allows(origin)) {
      response.putHeader("Access-Control-Allow-Origin", anyOrigin ? "*" : origin);
    }
  }

  /**
   * For router routes: decorates, then passes on. A {@link SecurityPolicyHandler}, as vertx-web's own CORS
   * handler is, so it may come before a body handler on a route.
   */
  Handler<RoutingContext> decorating() {
    return new Decorating();
  }

  private final class Decorating implements SecurityPolicyHandler {
    @Override
    public void handle(RoutingContext ctx) {
      decorate(ctx.request());
      ctx.next();
    }
  }

  /** Answers preflights ({@code OPTIONS} with {@code Access-Control-Request-Method}): 204 for an allowed origin, else 403. */
  Handler<RoutingContext> preflight() {
    return ctx -> {
      HttpServerRequest request = ctx.request();
      if (request.getHeader("Access-Control-Request-Method") == null) {
        ctx.next(); // a plain OPTIONS, not a browser's preflight
        return;
      }
      String origin = request.getHeader("Origin");
      if (!allows(origin)) {
        ErrorResponses.send(ctx, 403, enabled()
            ? "origin " + origin + " may not call this node from a browser (see --cors-origins)"
            : "cross-origin requests are not enabled on this node (see --cors-origins)");
        return;
      }
      decorate(request);
      request.response()
          .putHeader("Access-Control-Allow-Methods", ALLOWED_METHODS)
          .putHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS)
          .putHeader("Access-Control-Max-Age", Integer.toString(PREFLIGHT_MAX_AGE_SECONDS))
          .setStatusCode(204)
          .end();
    };
  }
}
