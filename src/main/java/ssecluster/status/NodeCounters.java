package ssecluster.status;

import java.util.concurrent.atomic.LongAdder;

/**
 * Node-wide counters, cheap to bump from any thread. {@code /health}, {@code /metrics} and the admin data read
 * them through a {@link NodeSnapshot}, taken when asked.
 */
public final class NodeCounters {

  /** Messages this node accepted and put on the event bus. */
  public final LongAdder published = new LongAdder();
  /** Publishes to an address no node watched, left out (see bus.UnwatchedAddresses). */
  public final LongAdder unwatchedSkipped = new LongAdder();
  /** Event frames written to SSE connections of this node. */
  public final LongAdder delivered = new LongAdder();
  /** Socket writes of event frames; below {@link #delivered} when frames queued up and went out together. */
  public final LongAdder streamWrites = new LongAdder();
  /** Messages a namespace channel saw twice (same id) and delivered once. */
  public final LongAdder duplicatesSuppressed = new LongAdder();
  public final LongAdder connectionsOpened = new LongAdder();
  public final LongAdder connectionsClosed = new LongAdder();
  /** Connections closed because their write queue stayed full past the bound. */
  public final LongAdder slowClientsDropped = new LongAdder();
  /** Subscriptions refused for a missing, invalid or insufficient token (401 and 403). */
  public final LongAdder unauthorizedSubscriptions = new LongAdder();
  /** Streams ended because the token they were opened with expired. */
  public final LongAdder streamsExpired = new LongAdder();
  /** Publish attempts rejected (bad namespace, event name, body) per entry point. */
  public final LongAdder rejectedHttp = new LongAdder();
  public final LongAdder rejectedEventBus = new LongAdder();
  public final LongAdder rejectedRedis = new LongAdder();
  public final LongAdder rejectedPostgres = new LongAdder();
  /** HTTP publishes refused for a missing, invalid or insufficient token (401 and 403). */
  public final LongAdder unauthorizedHttp = new LongAdder();
  /** Redis PUBSUB messages and stream entries this node published into the cluster. */
  public final LongAdder redisPubsubIngested = new LongAdder();
  public final LongAdder redisStreamIngested = new LongAdder();
  /** Stream entries this node took over from a consumer that stopped acknowledging them (XAUTOCLAIM). */
  public final LongAdder redisStreamClaimed = new LongAdder();
  /** Bad stream entries copied to the dead-letter stream (they are also counted in rejectedRedis). */
  public final LongAdder redisDeadLettered = new LongAdder();
  /** PostgreSQL notifications and outbox rows this node published into the cluster. */
  public final LongAdder postgresNotifyIngested = new LongAdder();
  public final LongAdder postgresOutboxIngested = new LongAdder();
  /** Bad outbox rows moved to the dead-letter table (they are also counted in rejectedPostgres). */
  public final LongAdder postgresDeadLettered = new LongAdder();

  /** Streams opened with a position to resume from (Last-Event-ID, ?lastEventId=). */
  public final LongAdder resumes = new LongAdder();
  /** Messages sent to resumed streams from history. */
  public final LongAdder replayed = new LongAdder();
  /** Resumes told that history could not close their gap, by reason. */
  public final LongAdder gapsExpired = new LongAdder();
  public final LongAdder gapsUnknown = new LongAdder();
  /** Live streams told of messages lost on the way (history no longer held them when they were missed). */
  public final LongAdder liveGaps = new LongAdder();
  /** Publishes refused because history could not take them (503). */
  public final LongAdder publishesUnavailable = new LongAdder();

  public long openConnections() {
    return connectionsOpened.sum() - connectionsClosed.sum();
  }
}
