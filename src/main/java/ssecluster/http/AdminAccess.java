package ssecluster.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Who may read the admin data ({@code /admin/status.json}, {@code /admin/cluster.json}, {@code /admin/cluster.stream}),
 * which names clients (their addresses and user agents are personal data):
 * <ul>
 *   <li>requests from this machine's loopback interface, always;</li>
 *   <li>everyone, when the node runs with {@code --admin-remote true};</li>
 *   <li>otherwise, with {@code --admin-jwt-secret} set, a request with a JWT signed with it (HS256) whose
 *       {@code admin} claim is {@code true}, as {@code Authorization: Bearer} or {@code ?access_token=} (EventSource
 *       cannot send headers). No token or a bad one: 401; a token without the claim, or no secret set: 403.</li>
 * </ul>
 * A route handler: it lets the request through (with {@link #ENDS_AT} set) or answers the refusal as JSON.
 * The console's page and its files hold no data and are not guarded: the page tells what is needed.
 */
final class AdminAccess implements Handler<RoutingContext> {

  /** Routing-context key: when the access of a token ends, in milliseconds since the epoch; 0 when it does not. */
  static final String ENDS_AT = "adminAccessEndsAt";
  static final String ACCESS_TOKEN = "access_token";
  static final String CLAIM = "admin";

  static final String NO_REMOTE = "/admin answers this machine only: start the node with --admin-remote true, or"
      + " with --admin-jwt-secret to let operators in with a token";
  static final String MISSING_TOKEN = "/admin needs a token from other machines: a JWT signed with the node's"
      + " --admin-jwt-secret (HS256) whose 'admin' claim is true, as 'Authorization: Bearer JWT' or ?access_token=JWT";

  private final boolean remoteAllowed;
  /** Null when no --admin-jwt-secret is set. */
  private final SignedTokens tokens;

  /** With {@code allowNoExp} false (--jwt-allow-no-exp), a token without {@code exp} is refused, as for streams. */
  AdminAccess(Vertx vertx, boolean remoteAllowed, String jwtSecret, boolean allowNoExp) {
    this.remoteAllowed = remoteAllowed;
    this.tokens = jwtSecret.isEmpty() ? null : new SignedTokens(vertx, jwtSecret, allowNoExp);
  }

  @Override
  public void handle(RoutingContext ctx) {
    check(ctx.request()).onComplete(checked -> {
      if (checked.succeeded()) {
        ctx.put(ENDS_AT, checked.result());
        ctx.next();
      } else if (checked.cause() instanceof NamespaceTokens.Refused refused) {
        refused.answer(ctx.response());
      } else {
        ctx.fail(checked.cause());
      }
    });
  }

  /** Succeeds with when the access ends (0: it does not), or fails with a {@link NamespaceTokens.Refused}. */
  Future<Long> check(HttpServerRequest request) {
    if (remoteAllowed || isLoopback(request.remoteAddress())) {
      return Future.succeededFuture(0L);
    }
    if (tokens == null) {
      return Future.failedFuture(new NamespaceTokens.Refused(403, NO_REMOTE));
    }
    String token = SignedTokens.bearer(request.getHeader("Authorization"));
    if (token == null) {
      token = request.getParam(ACCESS_TOKEN);
    }
    return tokens.claims(token, MISSING_TOKEN).compose(claims -> Boolean.TRUE.equals(claims.getValue(CLAIM))
        ? Future.succeededFuture(TokenClaims.expiresAtMillis(claims))
        : Future.failedFuture(new NamespaceTokens.Refused(403, "the token's 'admin' claim is not true")));
  }

  static boolean isLoopback(SocketAddress address) {
    if (address == null || address.hostAddress() == null) {
      return false;
    }
    try {
      // A literal address: no name lookup happens here.
      return InetAddress.getByName(address.hostAddress()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
