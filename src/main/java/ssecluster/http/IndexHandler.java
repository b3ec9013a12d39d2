package ssecluster.http;

import io.vertx.core.MultiMap;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import ssecluster.http.PageDependencies.Dependency;
import ssecluster.http.StaticAssets.Asset;

import java.util.List;
import java.util.logging.Logger;

/**
 * {@code GET /} (and every SPA path): index.html, sped up three ways for the assets it needs
 * ({@link StaticAssets#indexDependencies()}):
 * <ol>
 *   <li>on HTTP/2, a {@code 103 Early Hints} with one {@code Link: <...>; rel=preload|modulepreload} per
 *       asset, before anything else (browsers start fetching while the page is still on its way);</li>
 *   <li>on HTTP/2, a server push of each asset, unless the client disabled push (Chrome and Firefox do), or
 *       its {@value #PUSH_COOKIE} cookie says it was already pushed these exact versions;</li>
 *   <li>the same {@code Link} headers on the 200 itself, for HTTP/1.1 and for caches.</li>
 * </ol>
 * 103 goes out on HTTP/2 only: browsers ignore it on HTTP/1.1, where some old clients and proxies mistake
 * it for the final response. A push that fails or is refused is logged at FINE and costs the page nothing.
 */
final class IndexHandler {

  private static final Logger log = Logger.getLogger(IndexHandler.class.getName());

  static final String PUSH_COOKIE = "sse-pushed";
  private static final long PUSH_COOKIE_MAX_AGE_SECONDS = 30L * 24 * 3600;
  /** The SPA loads only its own files and never needs inline script: a strict policy costs nothing. */
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none';"
      + " base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

  private final StaticAssets assets;
  private final List<String> links;

  IndexHandler(StaticAssets assets) {
    this.assets = assets;
    this.links = PageDependencies.linkValues(assets.indexDependencies());
  }

  /** Answers with index.html; false when there is none (webroot without index.html). */
  boolean serve(RoutingContext ctx) {
    Asset index = assets.index();
    if (index == null) {
      return false;
    }
    HttpServerRequest request = ctx.request();
    HttpServerResponse response = ctx.response();
    response.exceptionHandler(e -> log.fine("GET " + request.path() + " ended early: " + e));
    MultiMap requestHeaders = request.headers();
    boolean fresh = !AssetResponses.notModified(requestHeaders, index,
        AssetResponses.negotiate(index, requestHeaders.get(HttpHeaders.ACCEPT_ENCODING)));
    if (fresh && request.method() == HttpMethod.GET && request.version() == HttpVersion.HTTP_2 && !links.isEmpty()) {
      MultiMap hints = HttpHeaders.headers();
      links.forEach(link -> hints.add("link", link));
      response.writeEarlyHints(hints).onFailure(e -> log.fine("103 Early Hints not sent: " + e));
      if (pushWanted(request)) {
        push(request, response);
      }
    }
    links.forEach(link -> response.headers().add("link", link));
    response.putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("Referrer-Policy", "same-origin");
    AssetResponses.send(request.method(), requestHeaders, response, index);
    return true;
  }

  private boolean pushWanted(HttpServerRequest request) {
    if (assets.indexDependencies().isEmpty() || !request.connection().remoteSettings().isPushEnabled()) {
      return false;
    }
    Cookie pushed = request.getCookie(PUSH_COOKIE);
    return pushed == null || !pushed.getValue().equals(assets.pushDigest());
  }

  /**
   * Promises every asset before index.html is written (a push must be promised before the page that
   * references it), then answers each promised request as a GET with the client's Accept-Encoding would be.
   */
  private void push(HttpServerRequest request, HttpServerResponse response) {
    MultiMap promisedHeaders = HttpHeaders.headers();
    String acceptEncoding = request.getHeader(HttpHeaders.ACCEPT_ENCODING);
    if (acceptEncoding != null) {
      promisedHeaders.set(HttpHeaders.ACCEPT_ENCODING, acceptEncoding);
    }
    for (Dependency dependency : assets.indexDependencies()) {
      Asset asset = assets.find(dependency.path());
      try {
        response.push(HttpMethod.GET, dependency.path(), promisedHeaders)
            .onSuccess(pushed -> {
              pushed.exceptionHandler(e -> log.fine("push of " + dependency.path() + " ended early: " + e));
              AssetResponses.send(HttpMethod.GET, promisedHeaders, pushed, asset);
            })
            .onFailure(e -> log.fine("push of " + dependency.path() + " not sent: " + e.getMessage()));
      } catch (IllegalStateException e) {
        log.fine("push of " + dependency.path() + " not sent: " + e.getMessage());
        return;
      }
    }
    response.addCookie(Cookie.cookie(PUSH_COOKIE, assets.pushDigest())
        .setPath("/")
        .setMaxAge(PUSH_COOKIE_MAX_AGE_SECONDS)
        .setHttpOnly(true)
        .setSecure(request.isSSL())
        .setSameSite(CookieSameSite.LAX));
  }
}
