package ssecluster.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import ssecluster.http.StaticAssets.Asset;

/**
 * {@code GET /admin/}: the admin console (webroot/admin/index.html), and {@code /admin/<file>}: its files, under the
 * same Content-Security-Policy as the SPA (its own origin only, no inline script). {@code /admin} redirects to
 * {@code /admin/}. These hold no data, so anyone may load them; the data behind them is guarded by
 * {@link AdminAccess}, and the page says what it needs when it is refused. Paths that are no file of webroot/admin
 * go on to the router's 404.
 */
final class AdminPageHandler implements Handler<RoutingContext> {

  static final String PAGE = "/admin/index.html";

  private final StaticAssets assets;

  AdminPageHandler(StaticAssets assets) {
    this.assets = assets;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String path = request.path();
    if (path.equals("/admin")) {
      String query = request.query();
      ctx.response().setStatusCode(301).putHeader("Location", "/admin/" + (query == null ? "" : "?" + query)).end();
      return;
    }
    // Exact lookups in the in-memory snapshot of webroot: no path reaches the file system.
    Asset asset = assets.find(path.equals("/admin/") ? PAGE : path);
    if (asset == null || !asset.path.startsWith("/admin/")) {
      ctx.next();
      return;
    }
    ctx.response()
        .putHeader("Content-Security-Policy", IndexHandler.CONTENT_SECURITY_POLICY)
        .putHeader("Referrer-Policy", "same-origin")
        .exceptionHandler(e -> { }); // the client went away mid-file: nothing to do
    AssetResponses.send(request.method(), request.headers(), ctx.response(), asset);
  }
}
