package ssecluster.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Errors as JSON: {@code {"error": "...", "status": 400}}, so scripts and people both can read them. */
final class ErrorResponses {

  private static final Logger log = Logger.getLogger(ErrorResponses.class.getName());

  private ErrorResponses() {
  }

  /**
   * Answers a routed request, which may come before its body was read: a 413 on the declared length, a 404
   * or 405 for a POST. On HTTP/1.x the rest of that body would stay on the connection in front of any next
   * request; Vert.x reads and drops it, which a client can drag out. So the answer says
   * {@code Connection: close} and the connection closes once the body has ended (the client can read the
   * answer first, as nginx's lingering close allows), or at the latest when ConnectionDeadlines' body timeout
   * passes. On HTTP/2 the stream is reset with NO_ERROR after the answer (RFC 9113, 8.1): the client stops
   * sending and its connection stays.
   */
  static void send(RoutingContext ctx, int status, String message) {
    send(ctx.request(), status, message);
  }

  /** Answers a request that may come before its body was read; see {@link #send(RoutingContext, int, String)}. */
  static void send(HttpServerRequest request, int status, String message) {
    boolean http2 = request.version() == HttpVersion.HTTP_2;
    boolean unreadBody = !http2 && declaresBody(request) && !request.isEnded();
    if (unreadBody && !request.response().headWritten()) {
      request.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    Future<Void> answered = send(request.response(), status, message);
    if (unreadBody) {
      request.endHandler(v -> request.connection().close());
    } else if (http2) {
      answered.onComplete(v -> {
        if (!request.isEnded()) {
          request.response().reset(0);   // NO_ERROR
        }
      });
    }
  }

  /**
   * Answers and then closes the connection, whatever may follow on it: for HTTP/1.x requests whose framing
   * cannot be trusted (two Host headers, an unknown Transfer-Encoding) and for invalid request heads.
   */
  static void sendAndClose(HttpServerRequest request, int status, String message) {
    if (request.version() != HttpVersion.HTTP_2 && !request.response().headWritten()) {
      request.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    send(request.response(), status, message).onComplete(v -> request.connection().close());
  }

  static Future<Void> send(HttpServerResponse response, int status, String message) {
    if (response.headWritten()) {
      return response.reset();
    }
    return response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", message).put("status", status).encode());
  }

  /**
   * Vert.x's handler for request heads its decoder refused (the server's invalidRequestHandler), with the same
   * statuses as Vert.x's own but a JSON body; the connection closes after it.
   */
  static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    if (cause instanceof ConnectionPipeline.UnsupportedVersion unsupported) {
      sendAndClose(request, 505, "HTTP version " + unsupported.version() + " is not supported: use HTTP/1.1 or HTTP/2");
    } else if (cause instanceof TooLongHttpLineException) {
      sendAndClose(request, 414, "request line too long");
    } else if (cause instanceof TooLongHttpHeaderException) {
      sendAndClose(request, 431, "request header fields too large");
    } else {
      sendAndClose(request, 400, "malformed HTTP request");
    }
  }

  /** True when an HTTP/1.x request says it has a body (RFC 9112, 6.3). */
  private static boolean declaresBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return request.headers().contains(HttpHeaders.TRANSFER_ENCODING) || (length != null && !length.trim().equals("0"));
  }

  /** Router failure handler: keeps the status vert.x chose (404, 405, 413, ...) and explains it. */
  static void onFailure(RoutingContext ctx) {
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    if (status >= 500) {
      log.log(Level.SEVERE, "Request " + ctx.request().method() + " " + ctx.request().path() + " failed", ctx.failure());
    }
    String message = switch (status) {
      case 404 -> "no such resource: " + ctx.request().path();
      case 405 -> "method " + ctx.request().method() + " not allowed on " + ctx.request().path();
      case 413 -> "body larger than the limit (see --max-body-bytes)";
      default -> ctx.failure() != null && status < 500 ? ctx.failure().getMessage()
          : HttpResponseStatus.valueOf(status).reasonPhrase();
    };
    send(ctx, status, message);
  }
}
