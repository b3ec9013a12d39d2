package ssecluster.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Checks every request makes before it reaches a handler, with the answer RFC 9110/9112 (or nginx) gives:
 * <ul>
 *   <li>HTTP/1.x: exactly one {@code Host} header (400, RFC 9112 3.2); no {@code Transfer-Encoding} other than
 *   one {@code chunked} (501, as nginx answers; {@code identity, chunked} is no exception). Both close the
 *   connection, since what follows on it cannot be trusted. (Netty's decoder already refuses a
 *   {@code Transfer-Encoding} with a {@code Content-Length} or in HTTP/1.0.)</li>
 *   <li>A percent sign in the request target followed by anything but two hex digits (400): otherwise the
 *   router's and the query decoder's exceptions would each log a stack trace. One log line at most per
 *   {@link #LOG_INTERVAL_SECONDS}, saying how many such requests there were.</li>
 *   <li>A path with a {@code .} or {@code ..} segment, also percent-encoded (400): the router would resolve
 *   {@code /publish/a/..} to {@code /publish}, the root namespace. Browsers and curl remove such segments
 *   before sending, so only hand-made requests carry them.</li>
 * </ul>
 */
final class RequestChecks {

  static final long LOG_INTERVAL_SECONDS = 60;
  private static final Logger log = Logger.getLogger(RequestChecks.class.getName());

  /** Malformed percent-encodings seen since the last log line, and when the next line may be written. */
  private static final AtomicLong unloggedBadEncodings = new AtomicLong();
  private static final AtomicLong nextLogNanos = new AtomicLong(System.nanoTime());

  private RequestChecks() {
  }

  /** True when the request passed; otherwise it has been answered (and its connection may be closing). */
  static boolean pass(HttpServerRequest request) {
    if (request.version() != HttpVersion.HTTP_2 && !framingIsSound(request)) {
      return false;
    }
    if (!percentEncodingIsValid(request.uri())) {
      logBadEncoding(request);
      ErrorResponses.send(request, 400, "malformed percent-encoding in the request target: '%' must be followed by two hex digits");
      return false;
    }
    if (hasDotSegment(request.path())) {
      ErrorResponses.send(request, 400, "the path has a '.' or '..' segment; send the path without them");
      return false;
    }
    return true;
  }

  private static boolean framingIsSound(HttpServerRequest request) {
    List<String> hosts = request.headers().getAll(HttpHeaders.HOST);
    if (hosts.size() > 1) {
      ErrorResponses.sendAndClose(request, 400, "more than one Host header (RFC 9112, 3.2)");
      return false;
    }
    if (hosts.isEmpty() && request.version() == HttpVersion.HTTP_1_1) {
      ErrorResponses.sendAndClose(request, 400, "an HTTP/1.1 request needs a Host header (RFC 9112, 3.2)");
      return false;
    }
    List<String> codings = request.headers().getAll(HttpHeaders.TRANSFER_ENCODING);
    if (!codings.isEmpty() && (codings.size() > 1 || !codings.get(0).trim().equalsIgnoreCase("chunked"))) {
      ErrorResponses.sendAndClose(request, 501, "Transfer-Encoding other than a single 'chunked' is not supported");
      return false;
    }
    return true;
  }

  /** Every '%' is followed by two hex digits (RFC 3986, 2.1). */
  static boolean percentEncodingIsValid(String target) {
    for (int i = target.indexOf('%'); i >= 0; i = target.indexOf('%', i + 1)) {
      if (i + 2 >= target.length() || !isHex(target.charAt(i + 1)) || !isHex(target.charAt(i + 2))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** A {@code .} or {@code ..} segment, written plainly or with {@code %2e} (RFC 3986, 3.3 and 6.2.2.2). */
  static boolean hasDotSegment(String path) {
    if (path == null || (path.indexOf('.') < 0 && path.indexOf('%') < 0)) {
      return false;
    }
    for (String segment : path.split("/", -1)) {
      String decoded = segment.replace("%2e", ".").replace("%2E", ".");
      if (decoded.equals(".") || decoded.equals("..")) {
        return true;
      }
    }
    return false;
  }

  /** One short line now and then, never a stack trace: anyone can send these, as often as they like. */
  private static void logBadEncoding(HttpServerRequest request) {
    long count = unloggedBadEncodings.incrementAndGet();
    long now = System.nanoTime();
    long next = nextLogNanos.get();
    if (now - next < 0 || !nextLogNanos.compareAndSet(next, now + TimeUnit.SECONDS.toNanos(LOG_INTERVAL_SECONDS))) {
      return;
    }
    unloggedBadEncodings.addAndGet(-count);
    log.info(() -> count + " request(s) with malformed percent-encoding refused (400) since this was last logged;"
        + " the latest: " + request.method() + " " + printable(request.uri()));
  }

  /** At most 100 characters, control characters shown as '?': the target is the client's text. */
  private static String printable(String text) {
    String cut = text.length() > 100 ? text.substring(0, 100) + "..." : text;
    StringBuilder out = new StringBuilder(cut.length());
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return out.toString();
  }
}
