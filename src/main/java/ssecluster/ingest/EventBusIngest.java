package ssecluster.ingest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import ssecluster.bus.BusAddresses;
import ssecluster.bus.Publication;
import ssecluster.bus.Publisher;
import ssecluster.namespace.InvalidNamespaceException;
import ssecluster.namespace.Namespace;
import ssecluster.status.NodeCounters;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Lets application code publish with the plain event-bus API: {@code vertx.eventBus().publish("pets.dogs",
 * body)}. An outbound interceptor catches such publishes on the sending node, before they leave it, and
 * re-routes them through the {@link Publisher} so that they get an id and reach the ancestors' subscribers
 * too. It also serves {@link BusAddresses#PUBLISH_REQUEST}, a request/reply way to publish that confirms
 * with the message id (used by {@code run.sh publish}). While the node has stepped down (cut off from most of
 * its cluster) neither goes into the island: requests fail with 503, plain publishes are dropped and counted.
 */
public final class EventBusIngest {

  private static final Logger log = Logger.getLogger(EventBusIngest.class.getName());

  /** The characters of namespaces: an address made of only these is meant as one. */
  private static final Pattern NAMESPACE_ALPHABET = Pattern.compile("[A-Za-z0-9_.-]+");

  private final Publisher publisher;
  private final NodeCounters counters;
  /** Why the node does not take publishes now (it stepped down), or null; see status.NodeState. */
  private final Supplier<String> stepDownReason;
  /** Publishes dropped while stepped down come at the publishers' rate: one warning per period says so. */
  private static final long STEP_DOWN_WARNING_EVERY_MILLIS = 10_000;
  private final AtomicLong nextStepDownWarningMillis = new AtomicLong();

  /** For a light member, which never steps down. */
  public EventBusIngest(Publisher publisher, NodeCounters counters) {
    this(publisher, counters, () -> null);
  }

  public EventBusIngest(Publisher publisher, NodeCounters counters, Supplier<String> stepDownReason) {
    this.publisher = publisher;
    this.counters = counters;
    this.stepDownReason = stepDownReason;
  }

  /** Installs the interceptor; every node of the application, light members included, needs it. */
  public void interceptPublishes(EventBus eventBus) {
    eventBus.addOutboundInterceptor(this::routeRawPublish);
  }

  /** Serves publish requests on this node; data members do this, light members only send them. */
  public Future<Void> servePublishRequests(Vertx vertx) {
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(BusAddresses.PUBLISH_REQUEST, this::handleRequest);
    return consumer.completion();
  }

  private void routeRawPublish(DeliveryContext<Object> context) {
    Message<Object> message = context.message();
    String address = message.address();
    // A request expects its reply from one consumer; a plain send to a namespace means the same as a publish.
    if ((context.send() && message.replyAddress() != null) || message.headers().contains(BusAddresses.HEADER_ID)
        || message.headers().contains(BusAddresses.HEADER_PROBE) || address.startsWith("__vertx")) {
      context.next();
      return;
    }
    Namespace namespace;
    try {
      namespace = Namespace.parse(address);
    } catch (InvalidNamespaceException invalid) {
      if (NAMESPACE_ALPHABET.matcher(address).matches()) {
        // Written like a namespace but breaking its rules ('pets..dogs', 17 segments, too long): a mistake
        // to report, not an address of some other use of the event bus.
        counters.rejectedEventBus.increment();
        log.warning("Dropped event-bus publish to '" + address + "': " + invalid.getMessage());
        return;
      }
      // Not a namespace address: some other use of the event bus, none of our business.
      context.next();
      return;
    }
    String steppedDown = stepDownReason.get();
    if (steppedDown != null) {
      counters.rejectedEventBus.increment();
      long now = System.currentTimeMillis();
      long next = nextStepDownWarningMillis.get();
      if (now >= next && nextStepDownWarningMillis.compareAndSet(next, now + STEP_DOWN_WARNING_EVERY_MILLIS)) {
        log.warning("Dropping event-bus publishes (counted as rejected) such as one to '" + address
            + "': this node stepped down, " + steppedDown);
      }
      return;
    }
    Publication publication;
    try {
      publication = Publication.fromBusBody(namespace, context.body());
    } catch (IllegalArgumentException rejected) {
      counters.rejectedEventBus.increment();
      log.warning("Dropped event-bus publish to '" + address + "': " + rejected.getMessage());
      return;
    }
    publisher.publish(publication).onFailure(failure -> {
      counters.rejectedEventBus.increment();
      log.warning("Dropped event-bus publish to '" + address + "': " + failure.getMessage());
    });
  }

  private void handleRequest(Message<JsonObject> request) {
    String steppedDown = stepDownReason.get();
    if (steppedDown != null) {
      request.fail(503, "this node stepped down, " + steppedDown);
      return;
    }
    JsonObject body = request.body();
    Publication publication;
    try {
      if (body == null) {
        throw new IllegalArgumentException("empty publish request");
      }
      publication = Publication.fromBusBody(Namespace.parse(body.getString("ns", "")), body);
    } catch (ClassCastException | IllegalArgumentException rejected) {
      counters.rejectedEventBus.increment();
      request.fail(400, rejected.getMessage());
      return;
    }
    publisher.publish(publication).onComplete(published -> {
      if (published.succeeded()) {
        request.reply(new JsonObject().put("id", published.result()));
      } else if (published.cause() instanceof IllegalArgumentException rejected) {
        counters.rejectedEventBus.increment();
        request.fail(400, rejected.getMessage());
      } else {
        request.fail(503, published.cause().getMessage());
      }
    });
  }
}
