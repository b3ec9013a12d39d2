package ssecluster.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import ssecluster.bus.Publication;
import ssecluster.bus.PublishUnavailableException;
import ssecluster.bus.Publisher;
import ssecluster.namespace.Namespace;
import ssecluster.status.NodeCounters;

import java.util.List;

/**
 * {@code POST /publish/pets/dogs?event=new-dog} with the data as the body: answers {@code 202} with the
 * message id once the cluster's history holds it, {@code 400} for a bad namespace, event name (names starting
 * with {@code sse-} are the service's) or non-UTF-8 body, {@code 503} when history cannot take it now, and,
 * when publishing needs a token ({@link NamespaceTokens} with the {@code publish} claim), {@code 401} or
 * {@code 403}. (The body limit, 413, is enforced before this handler runs.)
 */
final class PublishHandler implements Handler<RoutingContext> {

  static final String PREFIX = "/publish";

  private final Publisher publisher;
  private final NodeCounters counters;
  /** Null when anyone may publish. */
  private final NamespaceTokens authorization;

  PublishHandler(Publisher publisher, NodeCounters counters, NamespaceTokens authorization) {
    this.publisher = publisher;
    this.counters = counters;
    this.authorization = authorization;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Namespace namespace;
    try {
      // The path the router matched: the raw one may differ, '//publish/pets' for one.
      namespace = Namespace.fromPath(ctx.normalizedPath().substring(PREFIX.length()));
    } catch (IllegalArgumentException rejected) {
      reject(ctx, rejected.getMessage());
      return;
    }
    if (authorization == null) {
      publish(ctx, namespace);
      return;
    }
    String token = NamespaceTokens.bearer(ctx.request().getHeader("Authorization"));
    authorization.check(token, List.of(namespace), "publishing needs 'Authorization: Bearer <JWT>'").onComplete(checked -> {
      if (checked.succeeded()) {
        publish(ctx, namespace);
      } else if (checked.cause() instanceof NamespaceTokens.Refused refused) {
        counters.unauthorizedHttp.increment();
        refused.answer(ctx.response());
      } else {
        ctx.fail(checked.cause());
      }
    });
  }

  private void publish(RoutingContext ctx, Namespace namespace) {
    Publication publication;
    try {
      Buffer body = ctx.body().buffer();
      String data = body == null ? "" : Publication.decodeUtf8(body.getBytes());
      publication = new Publication(namespace, ctx.request().getParam("event"), data);
    } catch (IllegalArgumentException rejected) {
      reject(ctx, rejected.getMessage());
      return;
    }
    publisher.publish(publication).onComplete(published -> {
      if (published.succeeded()) {
        ctx.response()
            .setStatusCode(202)
            .putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("id", published.result()).encode());
      } else if (published.cause() instanceof IllegalArgumentException rejected) {
        reject(ctx, rejected.getMessage());
      } else if (published.cause() instanceof PublishUnavailableException unavailable) {
        counters.publishesUnavailable.increment();
        ctx.response().putHeader("Retry-After", "1");
        ErrorResponses.send(ctx, 503, unavailable.getMessage());
      } else {
        ctx.fail(published.cause());
      }
    });
  }

  private void reject(RoutingContext ctx, String message) {
    counters.rejectedHttp.increment();
    ErrorResponses.send(ctx, 400, message);
  }
}
