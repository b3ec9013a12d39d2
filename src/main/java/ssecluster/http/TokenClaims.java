package ssecluster.http;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * The time claims of a JWT ({@code exp}, {@code nbf}, {@code iat}, RFC 7519 section 4.1), read as numbers of
 * seconds since 1970-01-01 UTC, and the sentence that says why a token is refused because of them. A token
 * must carry {@code exp} unless the node allows tokens that never expire ({@code --jwt-allow-no-exp}).
 * {@code exp} is exact: the stream of a subscriber ends then. {@code nbf} and {@code iat} may be up to
 * {@link #CLOCK_SKEW_SECONDS} ahead of this node's clock, since the issuer's clock may run a little ahead.
 */
final class TokenClaims {

  static final long CLOCK_SKEW_SECONDS = 5;
  private static final List<String> TIME_CLAIMS = List.of("exp", "nbf", "iat");
  /** 9999-12-31T23:59:59Z: later times are taken as this one (no overflow, and still printable). */
  private static final long LATEST_MILLIS = 253_402_300_799_000L;

  private final boolean allowNoExp;

  TokenClaims(boolean allowNoExp) {
    this.allowNoExp = allowNoExp;
  }

  /** The payload of a token shaped as a signed JWT, not yet verified; null when it is not shaped so. */
  static JsonObject payloadOf(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3 || parts[2].isEmpty()) {
      return null;
    }
    try {
      new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
      return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    } catch (RuntimeException notBase64UrlJson) {
      return null;
    }
  }

  /** The first time claim present with a value that is not a number, or null. */
  static String nonNumericTime(JsonObject claims) {
    for (String name : TIME_CLAIMS) {
      if (claims.containsKey(name) && !(claims.getValue(name) instanceof Number)) {
        return name;
      }
    }
    return null;
  }

  /** Why the token may not be used at {@code nowMillis}, or null when it may. Call after {@link #nonNumericTime}. */
  String refusal(JsonObject claims, long nowMillis) {
    if (!claims.containsKey("exp")) {
      return allowNoExp ? null : "invalid token: it has no 'exp' (expiry) claim, and this node accepts only tokens that expire";
    }
    long expiresAt = millis(claims, "exp");
    if (nowMillis >= expiresAt) {
      return "the token expired at " + Instant.ofEpochMilli(expiresAt);
    }
    long tolerance = CLOCK_SKEW_SECONDS * 1000;
    if (claims.containsKey("nbf") && millis(claims, "nbf") > nowMillis + tolerance) {
      return "the token is not valid before " + Instant.ofEpochMilli(millis(claims, "nbf")) + " ('nbf')";
    }
    if (claims.containsKey("iat") && millis(claims, "iat") > nowMillis + tolerance) {
      return "the token says it was issued at " + Instant.ofEpochMilli(millis(claims, "iat"))
          + " ('iat'), which is in the future";
    }
    return null;
  }

  /** When the token expires, in epoch milliseconds; 0 when it has no {@code exp}. */
  static long expiresAtMillis(JsonObject claims) {
    return claims.containsKey("exp") ? millis(claims, "exp") : 0;
  }

  private static long millis(JsonObject claims, String name) {
    double seconds = ((Number) claims.getValue(name)).doubleValue();
    return (long) Math.max(-LATEST_MILLIS, Math.min(LATEST_MILLIS, seconds * 1000));
  }
}
