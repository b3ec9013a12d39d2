package ssecluster.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Errors as JSON: {@code {"error": "...", "status": 400}}, so scripts and people both can read them. */
final class ErrorResponses {

  private static final Logger log = Logger.getLogger(ErrorResponses.class.getName());

  private ErrorResponses() {
  }

  static void send(RoutingContext ctx, int status, String message) {
    send(ctx.response(), status, message);
  }

  static void send(HttpServerResponse response, int status, String message) {
    if (response.headWritten()) {
      response.reset();
      return;
    }
    response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", message).put("status", status).encode());
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
