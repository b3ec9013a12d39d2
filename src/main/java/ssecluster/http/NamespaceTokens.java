package ssecluster.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import ssecluster.namespace.Namespace;

import java.util.ArrayList;
import java.util.List;

/**
 * JWTs that grant namespaces, as Mercure's hub grants topics: a token signed with HS256 and the node's
 * secret whose claim ({@code publish} or {@code subscribe}) lists namespaces, each covering its descendants
 * ({@code ""} covers everything). No token, a bad signature, a token past {@code exp}, before {@code nbf},
 * issued in the future ({@code iat}) or, unless allowed, without {@code exp} is 401 (see {@link TokenClaims});
 * a namespace outside the claim is 403.
 */
final class NamespaceTokens {

  /** A refusal with its HTTP status. */
  static final class Refused extends RuntimeException {
    final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }

    /** Answers with the status and the reason; a 401 also says that a bearer token is what is missing. */
    void answer(HttpServerResponse response) {
      if (status == 401) {
        response.putHeader("WWW-Authenticate", "Bearer");
      }
      ErrorResponses.send(response, status, getMessage());
    }
  }

  /** What a valid token allows until when: {@code expiresAtMillis} is 0 when it has no {@code exp} (if allowed). */
  record Grant(long expiresAtMillis) {
  }

  static final String PUBLISH = "publish";
  static final String SUBSCRIBE = "subscribe";

  private final SignedTokens tokens;
  private final String claim;

  /** With {@code allowNoExp} false, a token without {@code exp} is refused: it would never expire. */
  NamespaceTokens(Vertx vertx, String secret, String claim, boolean allowNoExp) {
    this.tokens = new SignedTokens(vertx, secret, allowNoExp);
    this.claim = claim;
  }

  /** The token of an {@code Authorization: Bearer <JWT>} header; null when the header is absent or another scheme. */
  static String bearer(String authorizationHeader) {
    return SignedTokens.bearer(authorizationHeader);
  }

  /**
   * Succeeds when {@code token} grants every one of {@code wanted}; fails with {@link Refused}. A missing
   * token is refused with {@code whenMissing}, which tells the caller where a token goes. Every refusal says
   * in a plain sentence what is wrong with the token, never a library's exception text.
   */
  Future<Grant> check(String token, List<Namespace> wanted, String whenMissing) {
    return tokens.claims(token, whenMissing).compose(claims -> {
      List<Namespace> granted = granted(claims);
      for (Namespace namespace : wanted) {
        if (granted.stream().noneMatch(grant -> grant.covers(namespace))) {
          return Future.failedFuture(new Refused(403, "the token's '" + claim + "' claim does not cover namespace '"
              + namespace.name() + "'"));
        }
      }
      return Future.succeededFuture(new Grant(TokenClaims.expiresAtMillis(claims)));
    });
  }

  /** The claim's namespaces; a missing claim or one that is not a list of valid namespaces grants nothing. */
  private List<Namespace> granted(JsonObject claims) {
    List<Namespace> granted = new ArrayList<>();
    Object value = claims.getValue(claim);
    if (value instanceof JsonArray list) {
      for (Object entry : list) {
        if (entry instanceof String name) {
          try {
            granted.add(Namespace.parse(name));
          } catch (IllegalArgumentException notANamespace) {
            // Grants nothing; the 403 names the namespace that was asked for.
          }
        }
      }
    }
    return granted;
  }
}
