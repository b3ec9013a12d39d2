package ssecluster.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

/**
 * JWTs signed with HS256 and one of the node's secrets, checked by vertx-auth-jwt: signature, {@code exp} and
 * {@code nbf}. What a valid token allows is for the caller to read from its claims ({@link NamespaceTokens} for
 * namespaces, {@link AdminAccess} for the admin console).
 */
final class SignedTokens {

  private final JWTAuth jwt;

  SignedTokens(Vertx vertx, String secret) {
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
  }

  /** The token of an {@code Authorization: Bearer <JWT>} header; null when the header is absent or another scheme. */
  static String bearer(String authorizationHeader) {
    if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return authorizationHeader.substring(7).trim();
  }

  /**
   * The claims of a valid token (an empty object when it has none); fails with a 401 {@link NamespaceTokens.Refused}
   * for a bad signature, an expired token or a malformed one, and with {@code whenMissing} when there is no token.
   */
  Future<JsonObject> claims(String token, String whenMissing) {
    if (token == null || token.isEmpty()) {
      return Future.failedFuture(new NamespaceTokens.Refused(401, whenMissing));
    }
    Future<User> authenticated;
    try {
      authenticated = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException malformed) {
      // vertx-auth-jwt throws, rather than fails, on a signed token whose exp, iat or nbf is not a number.
      authenticated = Future.failedFuture(malformed);
    }
    return authenticated
        .recover(invalid -> Future.failedFuture(new NamespaceTokens.Refused(401, "invalid token: " + invalid.getMessage())))
        .map(user -> {
          JsonObject claims = user.attributes().getJsonObject("accessToken");
          return claims == null ? new JsonObject() : claims;
        });
  }

  /** When the token's {@code exp} passes, in milliseconds since the epoch; 0 when it has none. */
  static long expiresAtMillis(JsonObject claims) {
    return claims.getValue("exp") instanceof Number seconds ? seconds.longValue() * 1000 : 0;
  }
}
