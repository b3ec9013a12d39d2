package ssecluster.admin;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import ssecluster.fanout.FanoutHub;
import ssecluster.namespace.Namespace;
import ssecluster.status.NodeCounters;
import ssecluster.status.NodeSnapshot;
import ssecluster.status.NodeState;
import ssecluster.status.StreamCensus;
import ssecluster.wire.StreamStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This node's status as {@code /admin/status.json} shows it: the {@link NodeSnapshot}, its streams (gathered on
 * their loops) and how many of them listen to each namespace. Other nodes ask for it over the event bus, on an
 * address of this node's own ({@link #address}), to build {@code /admin/cluster.json}.
 */
public final class LocalStatus {

  private static final Logger log = Logger.getLogger(LocalStatus.class.getName());

  /** Namespaces listed per node, the busiest first; {@code namespacesWatched} still counts them all. */
  static final int MAX_NAMESPACES = 1_000;

  private final Vertx vertx;
  private final NodeState state;
  private final NodeCounters counters;
  private final FanoutHub hub;

  public LocalStatus(Vertx vertx, NodeState state, NodeCounters counters, FanoutHub hub) {
    this.vertx = vertx;
    this.state = state;
    this.counters = counters;
    this.hub = hub;
  }

  /** Where a node answers requests for its status; internal addresses have a ':', which no namespace has. */
  static String address(String nodeId) {
    return "sse:admin-status:" + nodeId;
  }

  String nodeId() {
    return state.nodeId();
  }

  String nodeName() {
    return state.nodeName();
  }

  /**
   * Answers other nodes' requests for this node's status. Client addresses and user agents go only into the
   * answer, never into a log.
   */
  public Future<Void> serve() {
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(address(state.nodeId()), request -> {
      StatusQuery query;
      try {
        query = StatusQuery.fromJson(request.body());
      } catch (RuntimeException e) {
        request.fail(400, "bad status query: " + e.getMessage());
        return;
      }
      encodedStatus(query)
          .onSuccess(request::reply)
          .onFailure(failure -> {
            log.log(Level.WARNING, "Could not gather this node's status for another node", failure);
            request.fail(500, String.valueOf(failure.getMessage()));
          });
    });
    return consumer.completion();
  }

  /**
   * {@link #status} as JSON text, encoded on a worker (thousands of streams make a large document); completes on
   * the caller's context.
   */
  public Future<Buffer> encodedStatus(StatusQuery query) {
    Context caller = vertx.getOrCreateContext();
    return status(query).compose(json -> caller.executeBlocking(json::toBuffer, false));
  }

  /** This node now, with the streams and namespaces {@code query} asks for. */
  public Future<JsonObject> status(StatusQuery query) {
    NodeSnapshot snapshot = NodeSnapshot.take(state, counters);
    Future<StreamCensus> census = hub.census();
    Future<List<StreamStatus>> streams = hub.streamStatuses(query.limit(), query::takes);
    return Future.all(census, streams).map(gathered -> document(snapshot, census.result(), streams.result(), query));
  }

  private static JsonObject document(NodeSnapshot snapshot, StreamCensus census, List<StreamStatus> streams,
                                     StatusQuery query) {
    JsonArray list = new JsonArray();
    for (StreamStatus stream : streams) {
      list.add(new JsonObject()
          .put("path", stream.path())
          .put("namespaces", new JsonArray(stream.namespaces()))
          .put("clientAddress", stream.clientAddress())
          .put("userAgent", stream.userAgent())
          .put("protocol", stream.protocol())
          .put("connectedAt", Instant.ofEpochMilli(stream.connectedAtMillis()).toString())
          .put("messagesSent", stream.messagesSent()));
    }
    JsonObject json = snapshot.toJson();
    json.getJsonObject("connections")
        .put("byProtocol", new JsonObject(new TreeMap<>(census.byProtocol())))
        .put("listed", list.size())
        .put("list", list);
    List<Map.Entry<String, Integer>> watched = new ArrayList<>();
    for (Map.Entry<String, Integer> entry : census.byNamespace().entrySet()) {
      if (query.namespaces().isEmpty() || query.takes(Namespace.parse(entry.getKey()))) {
        watched.add(entry);
      }
    }
    watched.sort(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
    JsonArray namespaces = new JsonArray();
    for (Map.Entry<String, Integer> entry : watched.subList(0, Math.min(MAX_NAMESPACES, watched.size()))) {
      namespaces.add(new JsonObject().put("namespace", entry.getKey()).put("subscribers", entry.getValue()));
    }
    return json.put("namespacesWatched", watched.size()).put("namespaces", namespaces);
  }
}
