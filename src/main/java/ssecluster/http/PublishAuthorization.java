package ssecluster.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import ssecluster.namespace.Namespace;

import java.util.ArrayList;
import java.util.List;

/**
 * Who may publish over HTTP, when the node has a publish secret (as Mercure's hub guards publishing): the
 * request carries {@code Authorization: Bearer <JWT>}, signed with HS256 and that secret, whose
 * {@code publish} claim lists namespaces, each covering its descendants ({@code ""} covers everything).
 * No token, a bad signature, or a token past {@code exp} or before {@code nbf} is 401; a namespace outside
 * the claim is 403. The event bus and Redis stay trusted inputs: they are inside the deployment.
 */
final class PublishAuthorization {

  /** A refusal with its HTTP status. */
  static final class Refused extends RuntimeException {
    final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  static final String CLAIM = "publish";

  private final JWTAuth jwt;

  PublishAuthorization(Vertx vertx, String secret) {
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
  }

  /** Succeeds when the token lets its bearer publish to {@code namespace}; fails with {@link Refused}. */
  Future<Void> check(String authorizationHeader, Namespace namespace) {
    if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Future.failedFuture(new Refused(401, "publishing needs 'Authorization: Bearer <JWT>'"));
    }
    String token = authorizationHeader.substring(7).trim();
    return jwt.authenticate(new TokenCredentials(token))
        .recover(invalid -> Future.failedFuture(new Refused(401, "invalid token: " + invalid.getMessage())))
        .compose(user -> {
          List<Namespace> allowed = allowed(user.attributes().getJsonObject("accessToken"));
          if (allowed.stream().noneMatch(grant -> grant.covers(namespace))) {
            return Future.failedFuture(new Refused(403, "the token's '" + CLAIM + "' claim does not cover namespace '"
                + namespace.name() + "'"));
          }
          return Future.succeededFuture();
        });
  }

  /** The claim's namespaces; a missing claim or one that is not a list of valid namespaces grants nothing. */
  private static List<Namespace> allowed(JsonObject claims) {
    List<Namespace> allowed = new ArrayList<>();
    Object claim = claims == null ? null : claims.getValue(CLAIM);
    if (claim instanceof JsonArray list) {
      for (Object entry : list) {
        if (entry instanceof String name) {
          try {
            allowed.add(Namespace.parse(name));
          } catch (IllegalArgumentException notANamespace) {
            // Grants nothing; the 403 names the namespace that was asked for.
          }
        }
      }
    }
    return allowed;
  }
}
