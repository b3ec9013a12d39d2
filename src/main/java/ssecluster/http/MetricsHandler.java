package ssecluster.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import ssecluster.status.NodeMetrics;

/**
 * {@code GET /metrics}: this node's figures in the Prometheus text format (OpenMetrics when the
 * {@code Accept} header asks for it). Collecting reads JVM beans that walk every thread, so it runs on a
 * worker, never on the event loop that also writes SSE streams.
 */
final class MetricsHandler implements Handler<RoutingContext> {

  private final NodeMetrics metrics;

  MetricsHandler(NodeMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String accept = ctx.request().getHeader("Accept");
    ctx.vertx().executeBlocking(() -> metrics.scrape(accept), false).onComplete(scraped -> {
      if (scraped.failed()) {
        ctx.fail(scraped.cause());
        return;
      }
      ctx.response()
          .putHeader("Content-Type", scraped.result().contentType())
          .putHeader("Cache-Control", "no-store")
          .end(Buffer.buffer(scraped.result().body()));
    });
  }
}
