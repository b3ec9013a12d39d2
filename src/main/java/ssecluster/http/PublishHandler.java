package ssecluster.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import ssecluster.bus.Publication;
import ssecluster.bus.Publisher;
import ssecluster.namespace.Namespace;
import ssecluster.status.NodeCounters;

/**
 * {@code POST /publish/pets/dogs?event=new-dog} with the data as the body: answers {@code 202} with the
 * message id, {@code 400} for a bad namespace, event name or non-UTF-8 body. (The body limit, 413, is
 * enforced before this handler runs.)
 */
final class PublishHandler implements Handler<RoutingContext> {

  static final String PREFIX = "/publish";

  private final Publisher publisher;
  private final NodeCounters counters;

  PublishHandler(Publisher publisher, NodeCounters counters) {
    this.publisher = publisher;
    this.counters = counters;
  }

  @Override
  public void handle(RoutingContext ctx) {
    try {
      Namespace namespace = Namespace.fromPath(ctx.request().path().substring(PREFIX.length()));
      Buffer body = ctx.body().buffer();
      String data = body == null ? "" : Publication.decodeUtf8(body.getBytes());
      String id = publisher.publish(new Publication(namespace, ctx.request().getParam("event"), data));
      ctx.response()
          .setStatusCode(202)
          .putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("id", id).encode());
    } catch (IllegalArgumentException rejected) {
      counters.rejectedHttp.increment();
      ErrorResponses.send(ctx, 400, rejected.getMessage());
    }
  }
}
