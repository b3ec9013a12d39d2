package ssecluster.http;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import ssecluster.http.StaticAssets.Asset;
import ssecluster.http.StaticAssets.Representation;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Writes one static file as the answer to a request: content negotiation (br, gzip, identity), conditional
 * requests (ETag, then Last-Modified: 304) and the headers. Normal GETs, HEADs and server pushes all come
 * through here, so a pushed response is exactly what a GET with the same request headers would get.
 */
final class AssetResponses {

  /**
   * Not fingerprinted (no build step), so a cached copy is always revalidated: one conditional request,
   * a 304 when unchanged, and never a stale file after a deploy.
   */
  static final String CACHE_CONTROL = "no-cache";

  private AssetResponses() {
  }

  static void send(HttpMethod method, MultiMap requestHeaders, HttpServerResponse response, Asset asset) {
    Representation chosen = negotiate(asset, requestHeaders.get(HttpHeaders.ACCEPT_ENCODING));
    response.putHeader(HttpHeaders.ETAG, chosen.etag())
        .putHeader(HttpHeaders.LAST_MODIFIED, asset.lastModified)
        .putHeader(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL)
        .putHeader("X-Content-Type-Options", "nosniff");
    if (asset.hasEncodings()) {
      response.putHeader(HttpHeaders.VARY, HttpHeaders.ACCEPT_ENCODING);
    }
    if (notModified(requestHeaders, asset, chosen)) {
      response.setStatusCode(304).end();
      return;
    }
    response.putHeader(HttpHeaders.CONTENT_TYPE, asset.contentType)
        .putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(chosen.body().length()));
    if (chosen.contentEncoding() != null) {
      response.putHeader(HttpHeaders.CONTENT_ENCODING, chosen.contentEncoding());
    }
    if (method == HttpMethod.HEAD) {
      response.end();
    } else {
      response.end(chosen.body());
    }
  }

  /** True when the request's validators show the client already holds these bytes. */
  static boolean notModified(MultiMap requestHeaders, Asset asset, Representation chosen) {
    String ifNoneMatch = requestHeaders.get(HttpHeaders.IF_NONE_MATCH);
    if (ifNoneMatch != null) {
      // If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2); weak comparison.
      for (String tag : ifNoneMatch.split(",")) {
        String candidate = tag.trim();
        if (candidate.equals("*") || stripWeak(candidate).equals(chosen.etag())) {
          return true;
        }
      }
      return false;
    }
    String ifModifiedSince = requestHeaders.get(HttpHeaders.IF_MODIFIED_SINCE);
    if (ifModifiedSince != null) {
      try {
        long since = ZonedDateTime.parse(ifModifiedSince.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
        return asset.lastModifiedSeconds <= since;
      } catch (DateTimeParseException e) {
        return false; // an unparseable date is ignored, as the RFC says
      }
    }
    return false;
  }

  private static String stripWeak(String tag) {
    return tag.startsWith("W/") ? tag.substring(2) : tag;
  }

  /**
   * The form to send for an {@code Accept-Encoding} header: brotli, then gzip, by the client's q-values
   * (ties go to brotli, the smaller one); identity when the client accepts neither.
   */
  static Representation negotiate(Asset asset, String acceptEncoding) {
    if (acceptEncoding == null || !asset.hasEncodings()) {
      return asset.identity;
    }
    Map<String, Double> q = new HashMap<>();
    for (String part : acceptEncoding.split(",")) {
      String[] fields = part.trim().split(";");
      String coding = fields[0].trim().toLowerCase(Locale.ROOT);
      double weight = 1.0;
      for (int i = 1; i < fields.length; i++) {
        String field = fields[i].trim();
        if (field.startsWith("q=") || field.startsWith("Q=")) {
          try {
            weight = Double.parseDouble(field.substring(2).trim());
          } catch (NumberFormatException e) {
            weight = 0;
          }
        }
      }
      if (!coding.isEmpty()) {
        q.put(coding, weight);
      }
    }
    double any = q.getOrDefault("*", 0.0);
    double br = asset.brotli == null ? 0 : q.getOrDefault("br", any);
    double gzip = asset.gzip == null ? 0 : q.getOrDefault("gzip", q.getOrDefault("x-gzip", any));
    if (br > 0 && br >= gzip) {
      return asset.brotli;
    }
    if (gzip > 0) {
      return asset.gzip;
    }
    return asset.identity;
  }
}
