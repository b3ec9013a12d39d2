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
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * This node's figures for Prometheus ({@code GET /metrics}). Every metric is a callback that reads
 * {@link NodeCounters} or {@link NodeState} when scraped, so the hot path only bumps its counters and pays
 * nothing for the exposition. One registry per node (not the library's global one): tests run several
 * nodes in one JVM.
 */
public final class NodeMetrics {

  /** A scrape, ready to send: the exposition format's content type and the encoded body. */
  public record Scrape(String contentType, byte[] body) {
  }

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final ExpositionFormats formats = ExpositionFormats.init();

  public NodeMetrics(NodeCounters counters, NodeState state) {
    gauge("sse_connections", "SSE connections open on this node", counters::openConnections);
    counter("sse_connections_opened", "SSE connections opened on this node", counters.connectionsOpened);
    counter("sse_connections_closed", "SSE connections closed on this node, for any reason", counters.connectionsClosed);
    counter("sse_slow_clients_dropped", "SSE connections closed because their write queue stayed full past the bound",
        counters.slowClientsDropped);
    counter("sse_subscriptions_unauthorized", "SSE subscriptions refused for a missing, invalid or insufficient token (401, 403)",
        counters.unauthorizedSubscriptions);
    counter("sse_streams_token_expired", "SSE streams ended because the token they were opened with expired",
        counters.streamsExpired);
    counter("sse_messages_published", "Messages this node accepted and put on the event bus (HTTP, event bus, Redis)",
        counters.published);
    countersBySource("sse_messages_rejected", "Publish attempts rejected for a bad namespace, event name or body, by entry point",
        Map.of("http", counters.rejectedHttp, "eventbus", counters.rejectedEventBus, "redis", counters.rejectedRedis,
            "postgres", counters.rejectedPostgres));
    counter("sse_publishes_unauthorized", "HTTP publishes refused for a missing, invalid or insufficient token (401, 403)",
        counters.unauthorizedHttp);
    counter("sse_unwatched_addresses_skipped", "Event-bus addresses left out of a publish because no node watched them",
        counters.unwatchedSkipped);
    counter("sse_events_delivered", "Event frames written to this node's SSE connections", counters.delivered);
    counter("sse_stream_writes", "Socket writes of event frames (fewer than frames when frames went out together)",
        counters.streamWrites);
    counter("sse_duplicates_suppressed", "Messages a namespace channel saw twice (same id) and delivered once",
        counters.duplicatesSuppressed);
    gauge("sse_history_messages", "Messages of the cluster's history held on this node's partitions (backups not counted)",
        () -> state.history().messages());
    gauge("sse_history_bytes", "Data bytes of the messages of sse_history_messages", () -> state.history().bytes());
    gauge("sse_history_namespaces", "Namespaces whose history record is on this node's partitions",
        () -> state.history().namespaces());
    counter("sse_resumes", "Streams opened to resume from a position (Last-Event-ID, ?lastEventId=)", counters.resumes);
    counter("sse_replayed_events", "Messages sent from history to resumed streams", counters.replayed);
    countersBy("sse_resume_gaps", "Resumed streams told that history could not close their gap (sse-gap), by reason",
        "reason", Map.of("expired", counters.gapsExpired, "unknown", counters.gapsUnknown));
    counter("sse_live_gaps", "Times live streams were told of messages lost on the way (history no longer held them)",
        counters.liveGaps);
    counter("sse_publishes_unavailable", "Publishes refused with 503 because history could not take them",
        counters.publishesUnavailable);
    countersBySource("sse_redis_ingested", "Redis messages this node published into the cluster, by Redis source",
        Map.of("pubsub", counters.redisPubsubIngested, "stream", counters.redisStreamIngested));
    counter("sse_redis_stream_claimed", "Redis stream entries taken over from a consumer that stopped acknowledging them",
        counters.redisStreamClaimed);
    counter("sse_redis_dead_lettered", "Bad Redis stream entries copied to the dead-letter stream",
        counters.redisDeadLettered);
    GaugeWithCallback.builder()
        .name("sse_redis_state")
        .help("Redis connection state of this node's ingestion: 1 for the current state, 0 for the others")
        .labelNames("state")
        .callback(callback -> {
          RedisStatus.State current = state.redis().state();
          for (RedisStatus.State each : RedisStatus.State.values()) {
            callback.call(each == current ? 1 : 0, each.name().toLowerCase());
          }
        })
        .register(registry);
    gauge("sse_redis_pubsub_leader", "1 while this node is the one that relays Redis PUBSUB into the cluster",
        () -> state.redis().pubsubLeader() ? 1 : 0);
    countersBySource("sse_postgres_ingested", "PostgreSQL messages this node published into the cluster, by source",
        Map.of("notify", counters.postgresNotifyIngested, "outbox", counters.postgresOutboxIngested));
    counter("sse_postgres_dead_lettered", "Bad outbox rows moved to the dead-letter table", counters.postgresDeadLettered);
    GaugeWithCallback.builder()
        .name("sse_postgres_state")
        .help("PostgreSQL connection state of this node's ingestion: 1 for the current state, 0 for the others")
        .labelNames("state")
        .callback(callback -> {
          PostgresStatus.State current = state.postgres().state();
          for (PostgresStatus.State each : PostgresStatus.State.values()) {
            callback.call(each == current ? 1 : 0, each.name().toLowerCase());
          }
        })
        .register(registry);
    gauge("sse_postgres_listener", "1 while this node is the one that LISTENs to PostgreSQL for the cluster",
        () -> state.postgres().listener() ? 1 : 0);
    gauge("sse_postgres_outbox_drainer", "1 while this node is the one that drains the PostgreSQL outbox for the cluster",
        () -> state.postgres().outboxDrainer() ? 1 : 0);
    gauge("sse_cluster_members", "Members of the cluster as this node sees it", () -> state.clusterMembers().size());
    gauge("sse_node_up", "1 while the node serves (0 while starting, stopping or stepped down)",
        () -> state.phase() == NodeState.Phase.UP ? 1 : 0);
    gauge("sse_node_start_time_seconds", "When this node started, in seconds since the Unix epoch",
        () -> state.startedAtMillis() / 1000.0);
    GaugeWithCallback.builder()
        .name("sse_node_info")
        .help("This node's name and cluster-wide id, as labels")
        .labelNames("node", "node_id")
        .callback(callback -> callback.call(1, state.nodeName(), state.nodeId()))
        .register(registry);
    JvmMetrics.builder().register(registry);
  }

  private void counter(String name, String help, LongAdder value) {
    CounterWithCallback.builder().name(name).help(help).callback(callback -> callback.call(value.sum())).register(registry);
  }

  /** One counter family with a {@code source} label, one sample per source. */
  private void countersBySource(String name, String help, Map<String, LongAdder> bySource) {
    countersBy(name, help, "source", bySource);
  }

  /** One counter family with one label, one sample per value of it. */
  private void countersBy(String name, String help, String label, Map<String, LongAdder> byValue) {
    CounterWithCallback.builder().name(name).help(help).labelNames(label)
        .callback(callback -> byValue.forEach((value, count) -> callback.call(count.sum(), value)))
        .register(registry);
  }

  private void gauge(String name, String help, DoubleSupplier value) {
    GaugeWithCallback.builder().name(name).help(help).callback(callback -> callback.call(value.getAsDouble()))
        .register(registry);
  }

  /**
   * Collects and encodes every metric in the format the {@code Accept} header asks for (Prometheus text
   * unless OpenMetrics is asked for). Reads JVM beans, some of which walk all threads: call it off the
   * event loop.
   */
  public Scrape scrape(String accept) {
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
