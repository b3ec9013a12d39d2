package ssecluster.status;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import ssecluster.history.HistoryStats;

import java.time.Instant;
import java.util.List;

/**
 * This node at one moment: every figure that {@code /health}, {@code /metrics}, {@code /admin/status.json} and
 * {@code /admin/cluster.json} show, read once from {@link NodeCounters} and {@link NodeState}. Each of them takes
 * one snapshot per answer, so the figures of one answer belong together (a scrape never shows more streams
 * closed than opened), and no endpoint has a way of its own of reading the counters.
 */
public record NodeSnapshot(String node, String nodeId, NodeState.Phase phase, String stepDownReason,
                           long startedAtMillis, long takenAtMillis, List<String> clusterMembers,
                           Messages messages, Connections connections, History history, Redis redis,
                           Postgres postgres) {

  /** Messages this node took in and wrote out, and publishes it refused. */
  public record Messages(long published, long unwatchedSkipped, long delivered, long streamWrites,
                         long duplicatesSuppressed, long rejectedHttp, long rejectedEventBus, long rejectedRedis,
                         long rejectedPostgres, long unauthorized, long unavailable) {
  }

  /** This node's SSE connections: {@link #open()} is what is open now, the rest count since the start. */
  public record Connections(long opened, long closed, long slowClientsDropped, long unauthorized, long tokenExpired) {

    public long open() {
      return opened - closed;
    }
  }

  /** What this node's partitions hold of the cluster's history, and how its streams resumed. */
  public record History(boolean kept, long namespaces, long messages, long bytes, long resumes, long replayed,
                        long gapsExpired, long gapsUnknown, long liveGaps) {
  }

  /** This node's Redis ingestion: connection, its roles for the cluster, and what it took in. */
  public record Redis(RedisStatus.State state, String url, boolean pubsubLeader, boolean streamReader,
                      String lastError, long pubsubIngested, long streamIngested, long streamClaimed,
                      long rejected, long deadLettered) {

    /** As {@code /health} and {@code /admin/status.json} show it. */
    public JsonObject toJson() {
      JsonObject json = new JsonObject()
          .put("state", state.name().toLowerCase())
          .put("url", url)
          .put("pubsubLeader", pubsubLeader)
          .put("streamReader", streamReader)
          .put("pubsubIngested", pubsubIngested)
          .put("streamIngested", streamIngested)
          .put("streamClaimed", streamClaimed)
          .put("rejected", rejected)
          .put("deadLettered", deadLettered);
      if (lastError != null && state != RedisStatus.State.CONNECTED) {
        json.put("lastError", lastError);
      }
      return json;
    }
  }

  /** This node's PostgreSQL ingestion: connection, its roles for the cluster, and what it took in. */
  public record Postgres(PostgresStatus.State state, String url, boolean listener, boolean outboxDrainer,
                         String lastError, long notifyIngested, long outboxIngested, long rejected, long deadLettered) {

    /** As {@code /health} and {@code /admin/status.json} show it. */
    public JsonObject toJson() {
      JsonObject json = new JsonObject()
          .put("state", state.name().toLowerCase())
          .put("url", url)
          .put("listener", listener)
          .put("outboxDrainer", outboxDrainer)
          .put("notifyIngested", notifyIngested)
          .put("outboxIngested", outboxIngested)
          .put("rejected", rejected)
          .put("deadLettered", deadLettered);
      if (lastError != null && state != PostgresStatus.State.CONNECTED) {
        json.put("lastError", lastError);
      }
      return json;
    }
  }

  /** Reads every figure now. Cheap (counter sums and a few volatile reads): any thread may call it. */
  public static NodeSnapshot take(NodeState state, NodeCounters counters) {
    // Closed before opened: a stream that opens and closes between the two reads is counted open, never
    // closed without having been opened.
    long closed = counters.connectionsClosed.sum();
    Connections connections = new Connections(counters.connectionsOpened.sum(), closed,
        counters.slowClientsDropped.sum(), counters.unauthorizedSubscriptions.sum(), counters.streamsExpired.sum());
    Messages messages = new Messages(counters.published.sum(), counters.unwatchedSkipped.sum(),
        counters.delivered.sum(), counters.streamWrites.sum(), counters.duplicatesSuppressed.sum(),
        counters.rejectedHttp.sum(), counters.rejectedEventBus.sum(), counters.rejectedRedis.sum(),
        counters.rejectedPostgres.sum(), counters.unauthorizedHttp.sum(), counters.publishesUnavailable.sum());
    HistoryStats held = state.history();
    History history = new History(state.historyKept(), held.namespaces(), held.messages(), held.bytes(),
        counters.resumes.sum(), counters.replayed.sum(), counters.gapsExpired.sum(), counters.gapsUnknown.sum(),
        counters.liveGaps.sum());
    RedisStatus redisStatus = state.redis();
    Redis redis = new Redis(redisStatus.state(), redisStatus.url(), redisStatus.pubsubLeader(),
        redisStatus.streamReader(), redisStatus.lastError(), counters.redisPubsubIngested.sum(),
        counters.redisStreamIngested.sum(), counters.redisStreamClaimed.sum(), counters.rejectedRedis.sum(),
        counters.redisDeadLettered.sum());
    PostgresStatus postgresStatus = state.postgres();
    Postgres postgres = new Postgres(postgresStatus.state(), postgresStatus.url(), postgresStatus.listener(),
        postgresStatus.outboxDrainer(), postgresStatus.lastError(), counters.postgresNotifyIngested.sum(),
        counters.postgresOutboxIngested.sum(), counters.rejectedPostgres.sum(), counters.postgresDeadLettered.sum());
    return new NodeSnapshot(state.nodeName(), state.nodeId(), state.phase(), state.stepDownReason(),
        state.startedAtMillis(), System.currentTimeMillis(), List.copyOf(state.clusterMembers()), messages,
        connections, history, redis, postgres);
  }

  public long uptimeSeconds() {
    return (takenAtMillis - startedAtMillis) / 1000;
  }

  /**
   * The node as {@code /admin/status.json} shows it, without the list of its streams (the caller adds what it
   * gathered on the streams' loops to {@code connections}).
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("node", node)
        .put("nodeId", nodeId)
        .put("status", phase.name());
    if (stepDownReason != null) {
      json.put("reason", stepDownReason);
    }
    return json
        .put("startedAt", Instant.ofEpochMilli(startedAtMillis).toString())
        .put("takenAt", Instant.ofEpochMilli(takenAtMillis).toString())
        .put("uptimeSeconds", uptimeSeconds())
        .put("messages", new JsonObject()
            .put("published", messages.published())
            .put("delivered", messages.delivered())
            .put("streamWrites", messages.streamWrites())
            .put("duplicatesSuppressed", messages.duplicatesSuppressed())
            .put("unwatchedSkipped", messages.unwatchedSkipped())
            .put("rejected", new JsonObject()
                .put("http", messages.rejectedHttp())
                .put("eventbus", messages.rejectedEventBus())
                .put("redis", messages.rejectedRedis())
                .put("postgres", messages.rejectedPostgres()))
            .put("unauthorized", messages.unauthorized())
            .put("unavailable", messages.unavailable()))
        .put("history", new JsonObject()
            .put("kept", history.kept())
            .put("namespacesHeld", history.namespaces())
            .put("messagesHeld", history.messages())
            .put("bytesHeld", history.bytes())
            .put("resumes", history.resumes())
            .put("replayed", history.replayed())
            .put("gaps", new JsonObject()
                .put("expired", history.gapsExpired())
                .put("unknown", history.gapsUnknown())
                .put("live", history.liveGaps())))
        .put("redis", redis.toJson())
        .put("postgres", postgres.toJson())
        .put("clusterMembers", new JsonArray(clusterMembers))
        .put("connections", new JsonObject()
            .put("open", connections.open())
            .put("opened", connections.opened())
            .put("closed", connections.closed())
            .put("slowClientsDropped", connections.slowClientsDropped())
            .put("unauthorized", connections.unauthorized())
            .put("tokenExpired", connections.tokenExpired()));
  }
}
