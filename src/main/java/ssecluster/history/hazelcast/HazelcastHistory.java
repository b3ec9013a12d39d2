package ssecluster.history.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import ssecluster.history.Appended;
import ssecluster.history.HistoryStats;
import ssecluster.history.HistoryStore;
import ssecluster.history.Micros;
import ssecluster.history.NamespaceSlice;
import ssecluster.history.NewMessage;
import ssecluster.history.ReadFrom;
import ssecluster.history.ResumePlan;
import ssecluster.namespace.Namespace;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * History held by Hazelcast itself: one record per namespace in a partitioned map with one backup, so that
 * losing any one member loses none of it, changed only by entry processors on the owning partition's thread.
 * That thread also orders the namespace: a message's sequence is given there, so concurrent publishers on
 * different nodes get one order. Records also form the tree of namespaces (each names its children), which is
 * how a resume of {@code pets} finds {@code pets.dogs} without scanning the map.
 *
 * <p>Every member sweeps the records it owns now and then: messages past the age bound go, and records that
 * stayed empty long enough go too.
 */
public final class HazelcastHistory implements HistoryStore {

  private static final Logger log = Logger.getLogger(HazelcastHistory.class.getName());
  /** How long an empty record is kept after its last message, to tell a returning client of a gap. */
  static final long TOMBSTONE_MICROS = ResumePlan.TRACKED_MICROS;
  private static final long STATS_EVERY_MILLIS = 5_000;
  /** Bounds a subtree walk, so one resume of a huge tree cannot hold a node's memory. */
  private static final int MAX_NAMESPACES_PER_READ = 100_000;
  private static final long READ_TIMEOUT_MILLIS = 10_000;

  private final Vertx vertx;
  private final IMap<String, NamespaceLog> records;
  private final int capacity;
  private final long ttlMicros;
  private final long startedAtMicros;
  private final List<Long> timers = new ArrayList<>();
  private volatile HistoryStats stats = HistoryStats.NONE;

  private HazelcastHistory(Vertx vertx, HazelcastInstance hazelcast, int capacity, long ttlMicros, long startedAtMicros) {
    this.vertx = vertx;
    this.records = hazelcast.getMap(HistorySerialization.MAP);
    this.capacity = capacity;
    this.ttlMicros = ttlMicros;
    this.startedAtMicros = startedAtMicros;
  }

  /**
   * Opens the cluster's history (the first member to start marks when it began) and starts this member's
   * sweeping and counting. {@link HistorySerialization#configure} must have been applied to its configuration.
   */
  public static Future<HazelcastHistory> open(Vertx vertx, HazelcastInstance hazelcast, int capacity, long ttlSeconds) {
    long ttlMicros = TimeUnit.SECONDS.toMicros(ttlSeconds);
    IMap<String, Long> meta = hazelcast.getMap(HistorySerialization.META_MAP);
    long now = Micros.now();
    return vertx.executeBlocking(() -> meta.putIfAbsent("startedAt", now), false)
        .map(previous -> {
          HazelcastHistory history = new HazelcastHistory(vertx, hazelcast, capacity, ttlMicros,
              previous == null ? now : previous);
          history.startBackgroundWork();
          return history;
        });
  }

  private void startBackgroundWork() {
    long sweepEvery = Math.max(1_000, Math.min(TimeUnit.MICROSECONDS.toMillis(ttlMicros) / 4, 60_000));
    timers.add(vertx.setPeriodic(sweepEvery, id -> sweepLocalRecords()));
    timers.add(vertx.setPeriodic(STATS_EVERY_MILLIS, id -> countLocalRecords()));
  }

  @Override
  public boolean keeps() {
    return true;
  }

  @Override
  public Future<List<Appended>> append(Namespace namespace, List<NewMessage> messages) {
    return onCaller(vertx, records.submitToKey(namespace.name(), new AppendProcessor(messages, capacity, ttlMicros)))
        .compose(result -> {
          List<Appended> appended = new ArrayList<>(result.seqs.length);
          for (int i = 0; i < result.seqs.length; i++) {
            appended.add(new Appended(result.seqs[i], result.previous[i], result.repeated[i]));
          }
          // A new record is entered in its parent before the message is announced: a resume of an ancestor
          // that reads history from now on finds it.
          return result.created && !namespace.isRoot()
              ? addToParent(namespace, result.createdMicros).map(appended)
              : Future.succeededFuture(appended);
        });
  }

  /** Enters a new record in its parent's, and the parent's in its own when that one is new too, and so on. */
  private Future<Void> addToParent(Namespace child, long generation) {
    Namespace parent = parentOf(child);
    return onCaller(vertx, records.submitToKey(parent.name(), ChildProcessor.add(lastSegment(child), generation)))
        .compose(created -> created != null && created[0] == 1 && !parent.isRoot()
            ? addToParent(parent, created[1])
            : Future.succeededFuture());
  }

  @Override
  public Future<List<NamespaceSlice>> read(List<Namespace> subtrees, ReadFrom from) {
    Set<String> level = new HashSet<>();
    subtrees.forEach(namespace -> level.add(namespace.name()));
    List<NamespaceSlice> slices = new ArrayList<>();
    return readLevel(level, from, slices, 0).map(slices).timeout(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Reads one level of the tree, then the children it names, until there are none. */
  private Future<Void> readLevel(Set<String> level, ReadFrom from, List<NamespaceSlice> slices, int namespacesRead) {
    if (level.isEmpty()) {
      return Future.succeededFuture();
    }
    if (namespacesRead + level.size() > MAX_NAMESPACES_PER_READ) {
      return Future.failedFuture("more than " + MAX_NAMESPACES_PER_READ + " namespaces to read for one resume");
    }
    return onCaller(vertx, records.submitToKeys(level, new ReadProcessor(from, ttlMicros))).compose(results -> {
      Set<String> next = new HashSet<>();
      for (Map.Entry<String, ReadProcessor.Result> read : results.entrySet()) {
        ReadProcessor.Result result = read.getValue();
        if (result == null) {
          continue;
        }
        String name = read.getKey();
        slices.add(new NamespaceSlice(Namespace.parse(name), true, result.droppedUpTo, result.messages));
        for (String child : result.children) {
          next.add(name.isEmpty() ? child : name + "." + child);
        }
      }
      return readLevel(next, from, slices, namespacesRead + level.size());
    });
  }

  @Override
  public Future<NamespaceSlice> readNamespace(Namespace namespace, long afterSeq) {
    ReadFrom from = new ReadFrom(Map.of(), afterSeq);
    return onCaller(vertx, records.submitToKey(namespace.name(), new ReadProcessor(from, ttlMicros)))
        .map(result -> result == null ? NamespaceSlice.unknown(namespace)
            : new NamespaceSlice(namespace, true, result.droppedUpTo, result.messages))
        .timeout(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
  }

  @Override
  public long startedAtMicros() {
    return startedAtMicros;
  }

  @Override
  public HistoryStats stats() {
    return stats;
  }

  /** Sweeps the records this member owns; removed ones leave their parent's list of children. */
  private void sweepLocalRecords() {
    vertx.executeBlocking(records::localKeySet, false)
        .compose(keys -> keys.isEmpty() ? Future.succeededFuture(Map.<String, Long>of())
            : onCaller(vertx, records.submitToKeys(keys, new SweepProcessor(ttlMicros, TOMBSTONE_MICROS))))
        .onSuccess(removed -> removed.forEach((name, generation) -> {
          if (generation != null && !name.isEmpty()) {
            Namespace namespace = Namespace.parse(name);
            records.submitToKey(parentOf(namespace).name(), ChildProcessor.remove(lastSegment(namespace), generation));
          }
        }))
        .onFailure(failure -> log.log(Level.FINE, "Sweeping the history failed; trying again later", failure));
  }

  private void countLocalRecords() {
    vertx.executeBlocking(records::localKeySet, false)
        .compose(keys -> keys.isEmpty() ? Future.succeededFuture(Map.<String, long[]>of())
            : onCaller(vertx, records.submitToKeys(keys, new StatsProcessor())))
        .onSuccess(counts -> {
          long messages = 0;
          long bytes = 0;
          for (long[] count : counts.values()) {
            messages += count[0];
            bytes += count[1];
          }
          stats = new HistoryStats(counts.size(), messages, bytes);
        })
        .onFailure(failure -> log.log(Level.FINE, "Counting the history failed; trying again later", failure));
  }

  @Override
  public Future<Void> close() {
    timers.forEach(vertx::cancelTimer);
    return Future.succeededFuture();
  }

  private static Namespace parentOf(Namespace namespace) {
    return namespace.selfAndAncestors().get(1);
  }

  private static String lastSegment(Namespace namespace) {
    String name = namespace.name();
    return name.substring(name.lastIndexOf('.') + 1);
  }

  /**
   * A Hazelcast answer as a Vert.x future completed on the caller's context. The executor matters: left to
   * its default, Hazelcast starts a thread per callback on machines with two cores or fewer.
   */
  static <T> Future<T> onCaller(Vertx vertx, CompletionStage<T> stage) {
    Context context = vertx.getOrCreateContext();
    Executor onContext = command -> context.runOnContext(v -> command.run());
    Promise<T> promise = Promise.promise();
    stage.whenCompleteAsync((value, failure) -> {
      if (failure != null) {
        promise.fail(failure);
      } else {
        promise.complete(value);
      }
    }, onContext);
    return promise.future();
  }
}
