package ssecluster.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import ssecluster.http.StaticAssets.Asset;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The single-page app, for every GET and HEAD no other route took. Routing, in order:
 * <ul>
 *   <li>paths of the service's own endpoints ({@code /publish}, {@code /subscribe}, {@code /admin},
 *       {@code /health}, {@code /metrics}) are never the SPA: they answer real errors (405 or 404, JSON);</li>
 *   <li>{@code /} and {@code /index.html}: index.html with early hints and push ({@link IndexHandler});</li>
 *   <li>a file of webroot: that file ({@link AssetResponses});</li>
 *   <li>anything else is an SPA route and answers index.html, unless it looks like a missing file (its last
 *       segment has an extension and the client did not ask for HTML): a missing {@code /app.js} is a 404,
 *       not a page of HTML that the browser would then fail to run as a script.</li>
 * </ul>
 * Files come from the in-memory snapshot of {@link StaticAssets}, looked up by exact path: a path with
 * {@code ..} segments (in any encoding) is refused before the lookup, and the file system is never consulted.
 * Keep this route last: it takes every GET.
 */
final class AssetHandler implements Handler<RoutingContext> {

  /** Prefixes that belong to the service, on segment boundaries. */
  private static final List<String> RESERVED = List.of("/subscribe", "/publish", "/admin", "/health", "/metrics");

  private final StaticAssets assets;
  private final IndexHandler index;

  AssetHandler(StaticAssets assets) {
    this.assets = assets;
    this.index = new IndexHandler(assets);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String path;
    try {
      path = URLDecoder.decode(request.path().replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      ctx.fail(400, new IllegalArgumentException("malformed percent-encoding in " + request.path()));
      return;
    }
    if (path.contains("\\") || path.indexOf('\0') >= 0 || hasDotDotSegment(path)) {
      ctx.fail(404);
      return;
    }
    String reserved = reservedPrefix(path);
    if (reserved != null) {
      if (reserved.equals("/publish")) {
        ctx.response().putHeader(HttpHeaders.ALLOW, "POST");
        ctx.fail(405);
      } else if (reserved.equals("/subscribe")) {
        ctx.response().putHeader(HttpHeaders.ALLOW, "GET");
        ctx.fail(405);
      } else {
        ctx.next(); // a route registered later may serve it; otherwise the router answers 404
      }
      return;
    }
    if (path.equals("/") || path.equals(StaticAssets.INDEX)) {
      if (!index.serve(ctx)) {
        ctx.next();
      }
      return;
    }
    Asset asset = assets.find(path);
    if (asset != null) {
      ctx.response().exceptionHandler(e -> { }); // the client went away mid-file: nothing to do
      AssetResponses.send(request.method(), request.headers(), ctx.response(), asset);
      return;
    }
    if ((!looksLikeFile(path) || acceptsHtml(request)) && index.serve(ctx)) {
      return;
    }
    ctx.next();
  }

  private static String reservedPrefix(String path) {
    for (String prefix : RESERVED) {
      if (path.equals(prefix) || path.startsWith(prefix + "/")) {
        return prefix;
      }
    }
    return null;
  }

  private static boolean hasDotDotSegment(String path) {
    for (String segment : path.split("/")) {
      if (segment.equals("..")) {
        return true;
      }
    }
    return false;
  }

  private static boolean looksLikeFile(String path) {
    String last = path.substring(path.lastIndexOf('/') + 1);
    return last.lastIndexOf('.') > 0;
  }

  private static boolean acceptsHtml(HttpServerRequest request) {
    String accept = request.getHeader(HttpHeaders.ACCEPT);
    return accept != null && accept.contains("text/html");
  }
}
