package ssecluster.status;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * This node's figures for Prometheus ({@code GET /metrics}). Every metric is a callback that reads the
 * {@link NodeSnapshot} taken when the scrape starts, so the hot path only bumps its counters, pays nothing for
 * the exposition, and the figures of one scrape belong together. One registry per node (not the library's
 * global one): tests run several nodes in one JVM.
 */
public final class NodeMetrics {

  /** A scrape, ready to send: the exposition format's content type and the encoded body. */
  public record Scrape(String contentType, byte[] body) {
  }

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final ExpositionFormats formats = ExpositionFormats.init();
  private final NodeCounters counters;
  private final NodeState state;
  /** The snapshot the scrape under way reads; scrapes take turns (see {@link #scrape}). */
  private NodeSnapshot current;

  public NodeMetrics(NodeCounters counters, NodeState state) {
    this.counters = counters;
    this.state = state;
    gauge("sse_connections", "SSE connections open on this node", s -> s.connections().open());
    counter("sse_connections_opened", "SSE connections opened on this node", s -> s.connections().opened());
    counter("sse_connections_closed", "SSE connections closed on this node, for any reason", s -> s.connections().closed());
    counter("sse_slow_clients_dropped", "SSE connections closed because their write queue stayed full past the bound",
        s -> s.connections().slowClientsDropped());
    counter("sse_subscriptions_unauthorized", "SSE subscriptions refused for a missing, invalid or insufficient token (401, 403)",
        s -> s.connections().unauthorized());
    counter("sse_streams_token_expired", "SSE streams ended because the token they were opened with expired",
        s -> s.connections().tokenExpired());
    counter("sse_messages_published", "Messages this node accepted and put on the event bus (HTTP, event bus, Redis)",
        s -> s.messages().published());
    countersBy("sse_messages_rejected", "Publish attempts rejected for a bad namespace, event name or body, by entry point",
        "source", Map.of("http", s -> s.messages().rejectedHttp(), "eventbus", s -> s.messages().rejectedEventBus(),
            "redis", s -> s.messages().rejectedRedis(), "postgres", s -> s.messages().rejectedPostgres()));
    counter("sse_publishes_unauthorized", "HTTP publishes refused for a missing, invalid or insufficient token (401, 403)",
        s -> s.messages().unauthorized());
    counter("sse_unwatched_addresses_skipped", "Event-bus addresses left out of a publish because no node watched them",
        s -> s.messages().unwatchedSkipped());
    counter("sse_events_delivered", "Event frames written to this node's SSE connections", s -> s.messages().delivered());
    counter("sse_stream_writes", "Socket writes of event frames (fewer than frames when frames went out together)",
        s -> s.messages().streamWrites());
    counter("sse_duplicates_suppressed", "Messages a namespace channel saw twice (same id) and delivered once",
        s -> s.messages().duplicatesSuppressed());
    gauge("sse_history_messages", "Messages of the cluster's history held on this node's partitions (backups not counted)",
        s -> s.history().messages());
    gauge("sse_history_bytes", "Data bytes of the messages of sse_history_messages", s -> s.history().bytes());
    gauge("sse_history_namespaces", "Namespaces whose history record is on this node's partitions",
        s -> s.history().namespaces());
    counter("sse_resumes", "Streams opened to resume from a position (Last-Event-ID, ?lastEventId=)", s -> s.history().resumes());
    counter("sse_replayed_events", "Messages sent from history to resumed streams", s -> s.history().replayed());
    countersBy("sse_resume_gaps", "Resumed streams told that history could not close their gap (sse-gap), by reason",
        "reason", Map.of("expired", s -> s.history().gapsExpired(), "unknown", s -> s.history().gapsUnknown()));
    counter("sse_live_gaps", "Times live streams were told of messages lost on the way (history no longer held them)",
        s -> s.history().liveGaps());
    counter("sse_publishes_unavailable", "Publishes refused with 503 because history could not take them",
        s -> s.messages().unavailable());
    countersBy("sse_redis_ingested", "Redis messages this node published into the cluster, by Redis source",
        "source", Map.of("pubsub", s -> s.redis().pubsubIngested(), "stream", s -> s.redis().streamIngested()));
    counter("sse_redis_stream_claimed", "Redis stream entries taken over from a consumer that stopped acknowledging them",
        s -> s.redis().streamClaimed());
    counter("sse_redis_dead_lettered", "Bad Redis stream entries copied to the dead-letter stream",
        s -> s.redis().deadLettered());
    GaugeWithCallback.builder()
        .name("sse_redis_state")
        .help("Redis connection state of this node's ingestion: 1 for the current state, 0 for the others")
        .labelNames("state")
        .callback(callback -> {
          RedisStatus.State now = current.redis().state();
          for (RedisStatus.State each : RedisStatus.State.values()) {
            callback.call(each == now ? 1 : 0, each.name().toLowerCase());
          }
        })
        .register(registry);
    gauge("sse_redis_pubsub_leader", "1 while this node is the one that relays Redis PUBSUB into the cluster",
        s -> s.redis().pubsubLeader() ? 1 : 0);
    countersBy("sse_postgres_ingested", "PostgreSQL messages this node published into the cluster, by source",
        "source", Map.of("notify", s -> s.postgres().notifyIngested(), "outbox", s -> s.postgres().outboxIngested()));
    counter("sse_postgres_dead_lettered", "Bad outbox rows moved to the dead-letter table", s -> s.postgres().deadLettered());
    GaugeWithCallback.builder()
        .name("sse_postgres_state")
        .help("PostgreSQL connection state of this node's ingestion: 1 for the current state, 0 for the others")
        .labelNames("state")
        .callback(callback -> {
          PostgresStatus.State now = current.postgres().state();
          for (PostgresStatus.State each : PostgresStatus.State.values()) {
            callback.call(each == now ? 1 : 0, each.name().toLowerCase());
          }
        })
        .register(registry);
    gauge("sse_postgres_listener", "1 while this node is the one that LISTENs to PostgreSQL for the cluster",
        s -> s.postgres().listener() ? 1 : 0);
    gauge("sse_postgres_outbox_drainer", "1 while this node is the one that drains the PostgreSQL outbox for the cluster",
        s -> s.postgres().outboxDrainer() ? 1 : 0);
    gauge("sse_cluster_members", "Members of the cluster as this node sees it", s -> s.clusterMembers().size());
    gauge("sse_node_up", "1 while the node serves (0 while starting, stopping or stepped down)",
        s -> s.phase() == NodeState.Phase.UP ? 1 : 0);
    gauge("sse_node_start_time_seconds", "When this node started, in seconds since the Unix epoch",
        s -> s.startedAtMillis() / 1000.0);
    GaugeWithCallback.builder()
        .name("sse_node_info")
        .help("This node's name and cluster-wide id, as labels")
        .labelNames("node", "node_id")
        .callback(callback -> callback.call(1, current.node(), current.nodeId()))
        .register(registry);
    JvmMetrics.builder().register(registry);
  }

  private void counter(String name, String help, ToDoubleFunction<NodeSnapshot> value) {
    CounterWithCallback.builder().name(name).help(help)
        .callback(callback -> callback.call(value.applyAsDouble(current))).register(registry);
  }

  /** One counter family with one label, one sample per value of it. */
  private void countersBy(String name, String help, String label, Map<String, ToDoubleFunction<NodeSnapshot>> byValue) {
    CounterWithCallback.builder().name(name).help(help).labelNames(label)
        .callback(callback -> byValue.forEach((value, count) -> callback.call(count.applyAsDouble(current), value)))
        .register(registry);
  }

  private void gauge(String name, String help, ToDoubleFunction<NodeSnapshot> value) {
    GaugeWithCallback.builder().name(name).help(help).callback(callback -> callback.call(value.applyAsDouble(current)))
        .register(registry);
  }

  /**
   * Collects and encodes every metric in the format the {@code Accept} header asks for (Prometheus text
   * unless OpenMetrics is asked for). Reads JVM beans, some of which walk all threads: call it off the
   * event loop. Scrapes take turns, each reading the snapshot it took.
   */
  public synchronized Scrape scrape(String accept) {
    current = NodeSnapshot.take(state, counters);
    ExpositionFormatWriter writer = formats.findWriter(accept);
    if (!writer.isAvailable()) {
      // Protobuf needs a module we do not ship; the text format is what every Prometheus reads.
      writer = formats.getPrometheusTextFormatWriter();
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
    try {
      writer.write(body, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Scrape(writer.getContentType(), body.toByteArray());
  }
}
