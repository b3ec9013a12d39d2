package ssecluster.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.util.Objects;

/**
 * JWTs signed with HS256 and one of the node's secrets: the signature is checked by vertx-auth-jwt, the time claims
 * ({@code exp}, {@code nbf}, {@code iat}) by {@link TokenClaims}. What a valid token allows is for the caller to read
 * from its claims ({@link NamespaceTokens} for namespaces, {@link AdminAccess} for the admin data). Every refusal is
 * a 401 that says in a plain sentence what is wrong with the token, never a library's exception text.
 */
final class SignedTokens {

  private final JWTAuth jwt;
  private final TokenClaims timing;

  /** With {@code allowNoExp} false, a token without {@code exp} is refused: it would never expire. */
  SignedTokens(Vertx vertx, String secret, boolean allowNoExp) {
    // The library checks the signature only: its time checks say "token expired" for an nbf or iat in the
    // future too, so TokenClaims checks exp, nbf and iat and says which one failed.
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret))
        .setJWTOptions(new JWTOptions().setIgnoreExpiration(true)));
    this.timing = new TokenClaims(allowNoExp);
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
   * that says why, and with {@code whenMissing} when there is no token.
   */
  Future<JsonObject> claims(String token, String whenMissing) {
    if (token == null || token.isEmpty()) {
      return Future.failedFuture(new NamespaceTokens.Refused(401, whenMissing));
    }
    JsonObject unverified = TokenClaims.payloadOf(token);
    if (unverified == null) {
      return Future.failedFuture(new NamespaceTokens.Refused(401, "invalid token: not a JWT (three base64url parts,"
          + " header.payload.signature, the first two JSON objects)"));
    }
    // Checked before the signature: vertx-auth-jwt reads these claims as numbers and throws on anything else.
    String badTime = TokenClaims.nonNumericTime(unverified);
    if (badTime != null) {
      return Future.failedFuture(new NamespaceTokens.Refused(401, "invalid token: its '" + badTime
          + "' claim must be a number (seconds since 1970-01-01 UTC)"));
    }
    Future<User> authenticated;
    try {
      authenticated = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException malformed) {
      // The library has thrown, rather than failed, on odd tokens (a string exp, before the check above).
      authenticated = Future.failedFuture(malformed);
    }
    return authenticated
        .recover(invalid -> Future.failedFuture(new NamespaceTokens.Refused(401,
            "invalid token: not signed with this node's secret (HS256)")))
        .compose(user -> {
          JsonObject claims = Objects.requireNonNullElse(user.attributes().getJsonObject("accessToken"), new JsonObject());
          String untimely = timing.refusal(claims, System.currentTimeMillis());
          return untimely != null
              ? Future.failedFuture(new NamespaceTokens.Refused(401, untimely))
              : Future.succeededFuture(claims);
        });
  }
}
