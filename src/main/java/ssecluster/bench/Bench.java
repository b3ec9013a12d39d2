package ssecluster.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import ssecluster.bus.MessageIds;
import ssecluster.bus.Publisher;
import ssecluster.bus.UnwatchedAddresses;
import ssecluster.cluster.ClusterFactory;
import ssecluster.cluster.NetworkTransport;
import ssecluster.config.Settings;
import ssecluster.history.HistoryStore;
import ssecluster.history.NoHistory;
import ssecluster.history.hazelcast.HazelcastHistory;
import ssecluster.ingest.EventBusIngest;
import ssecluster.status.NodeCounters;

import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The benchmark: {@code ./run.sh bench [OPTIONS]} (see {@link BenchOptions#help()}). Load mode opens N SSE
 * connections, publishes at a fixed open-loop rate and reports deliveries, losses, duplicates, latency
 * percentiles and server CPU; idle mode measures memory and CPU of idle connections step by step. Every run
 * is bounded and stops the servers it started. Results are printed and appended to target/bench/results.txt.
 */
public final class Bench {

  private static final Path WORK_DIR = Path.of("target", "bench");
  /** The machine's CPUs, read before --bench-cpus narrows what this JVM sees. */
  private static final int MACHINE_CPUS = Runtime.getRuntime().availableProcessors();

  private final BenchOptions options;
  private final StringBuilder report = new StringBuilder();

  private Bench(BenchOptions options) {
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(BenchOptions.help());
      return;
    }
    BenchOptions options;
    try {
      options = new BenchOptions(List.of(args));
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
      return;
    }
    Logger.getLogger("com.hazelcast").setLevel(Level.WARNING);
    int status = new Bench(options).run();
    System.exit(status);
  }

  private int run() throws Exception {
    line("== sse-cluster bench, mode " + options.mode() + ", server " + options.server() + "  "
        + Instant.now().truncatedTo(ChronoUnit.SECONDS) + (options.label().isEmpty() ? "" : "  [" + options.label() + "]"));
    line("options: " + (options.describe().isEmpty() ? "(defaults)" : options.describe()));
    line("machine: " + MACHINE_CPUS + " cores; load average at start " + ProcStats.loadAverage());
    Scheduling.pinSelf(options.benchCpus());
    if (!options.serverCpus().isEmpty() || !options.benchCpus().isEmpty()) {
      line("CPU pinning: servers on " + orAll(options.serverCpus()) + ", bench on " + orAll(options.benchCpus()));
    }
    try (Servers servers = new Servers(options, WORK_DIR)) {
      servers.start(options.mode().equals("idle"));
      Vertx vertx = clientVertx(servers);
      try {
        if (options.mode().equals("idle")) {
          new IdleRun(options, servers, vertx, this::line).run();
        } else {
          try (HealthChecks checks = new HealthChecks(servers.nchan() ? List.of() : servers.list(), options.healthEverySeconds())) {
            runLoad(servers, vertx);
          }
        }
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      line("FAILED: " + e);
      e.printStackTrace();
      save();
      return 1;
    }
    save();
    return 0;
  }

  private static String orAll(String cpus) {
    return cpus.isEmpty() ? "any CPU" : "CPU " + cpus;
  }

  /** A non-clustered Vert.x for the bench's own connections, on the client transport. */
  private Vertx plainVertx(int eventLoops) {
    return Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(eventLoops))
        .withTransport(NetworkTransport.pick(options.clientTransport())).build();
  }

  /** A light cluster member for event-bus publishing, else a plain Vert.x. */
  private Vertx clientVertx(Servers servers) throws Exception {
    if (!options.publishVia().equals("eventbus") || !options.mode().equals("load")) {
      return plainVertx(options.clientLoops());
    }
    if (servers.clusterConfig() == null) {
      throw new IllegalArgumentException("--publish-via eventbus needs nodes started by the bench (its cluster config)");
    }
    // The nodes' own flags too, so that this member appends to history with the same bounds as they do.
    List<String> args = new ArrayList<>(List.of("--cluster-config", servers.clusterConfig().toString(),
        "--transport", options.clientTransport()));
    args.addAll(options.nodeArgs());
    Settings settings = Settings.load(args, Map.of(), new ArrayList<>());
    ClusterFactory.ClusteredVertx clustered = ClusterFactory.join(settings, true)
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    NodeCounters counters = new NodeCounters();
    HistoryStore history = settings.historySize() == 0 ? NoHistory.INSTANCE
        : HazelcastHistory.open(clustered.vertx(), clustered.clusterManager().getHazelcastInstance(),
            settings.historySize(), settings.historyTtlSeconds()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    Publisher publisher = new Publisher(clustered.vertx(), history, new MessageIds(clustered.clusterManager().getNodeId()),
        settings.maxBodyBytes(), counters, UnwatchedAddresses.NONE);
    new EventBusIngest(publisher, counters).interceptPublishes(clustered.vertx().eventBus());
    return clustered.vertx();
  }

  private void runLoad(Servers servers, Vertx vertx) throws Exception {
    boolean viaBus = options.publishVia().equals("eventbus");
    // Over the event bus, Redis or PostgreSQL no subscriber's node is "the publishing node": all count as other nodes.
    int publishNode = options.publishVia().equals("http") ? options.publishNode() : -1;
    List<Integer> subscribeNodes = options.subscribeNodes(servers.list().size());
    Subscribers subscribers = new Subscribers(vertx, servers, options.sourceAddresses());
    long connectStart = System.nanoTime();
    await(subscribers.open(options.connections(), subscribeNodes, publishNode, options.namespace(),
        options.connectConcurrency()), 300);
    line(String.format("connections: %d requested on node(s) %s, %d open, %d failed%s (%.1f s to connect)",
        options.connections(), subscribeNodes, subscribers.openCount(), subscribers.failures(),
        subscribers.failures() > 0 ? " (last: " + subscribers.lastFailure() + ")" : "",
        (System.nanoTime() - connectStart) / 1e9));
    Thread.sleep(1000);

    // Over HTTP the publisher gets its own event loop, so parsing thousands of streams never delays a send.
    Vertx publisherVertx = viaBus ? vertx : plainVertx(1);
    RatePublisher publisher = new RatePublisher(publisherVertx, options.rate(), options.size());
    RatePublisher.Transport transport = switch (options.publishVia()) {
      case "eventbus" -> publisher.eventBus(vertx.eventBus(), options.namespace());
      case "redis" -> publisher.redis(servers.redisUrl(), options.namespace());
      case "postgres" -> publisher.postgres(servers.postgresUrl(), options.namespace(), options.postgresVia().equals("outbox"));
      default -> publisher.http(servers.list().get(publishNode), servers.publishPath(options.namespace()));
    };
    long total = (long) options.rate() * (options.warmupSeconds() + options.durationSeconds());
    CountDownLatch allSent = new CountDownLatch(1);
    long t0 = BenchClock.nowMicros();
    long windowStart = t0 + options.warmupSeconds() * 1_000_000L;
    long windowEnd = windowStart + options.durationSeconds() * 1_000_000L;
    subscribers.window(windowStart, windowEnd);
    publisher.start(transport, total, allSent::countDown);

    sleepUntil(windowStart);
    Sample before = Sample.take(servers);
    sleepUntil(windowEnd);
    Sample after = Sample.take(servers);
    if (!allSent.await(options.durationSeconds() + 60L, TimeUnit.SECONDS)) {
      line("WARNING: the publisher did not get all messages out in time");
    }
    // Evaluate only once every publish is answered and deliveries have stopped for --drain seconds,
    // so a server that is behind shows as latency, not as "lost" (bounded: 120 s at most).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (publisher.answered() < total && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    long seen = -1;
    long quietSince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      long now = subscribers.deliveriesSoFar();
      if (now != seen) {
        seen = now;
        quietSince = System.nanoTime();
      } else if (System.nanoTime() - quietSince >= TimeUnit.SECONDS.toNanos(options.drainSeconds())) {
        break;
      }
      Thread.sleep(100);
    }
    if (System.nanoTime() >= deadline) {
      line("WARNING: deliveries still arriving or publishes unanswered 120 s after the end; counted as they stand");
    }
    await(subscribers.close(), 30);
    if (publisherVertx != vertx) {
      await(publisherVertx.close(), 30);
    }
    reportLoad(servers, subscribers, publisher, before, after, subscribeNodes, publishNode);
  }

  private void reportLoad(Servers servers, Subscribers subscribers, RatePublisher publisher, Sample before, Sample after,
                          List<Integer> subscribeNodes, int publishNode) {
    BitSet accepted = publisher.acceptedSet();
    long lost = 0;
    long duplicates = 0;
    long outOfOrder = 0;
    long unexpected = 0;
    long closedEarly = 0;
    int open = 0;
    for (Subscribers.Connection c : subscribers.connections()) {
      if (!c.open) {
        continue;
      }
      open++;
      lost += c.tracker.lost(accepted);
      duplicates += c.tracker.duplicates();
      outOfOrder += c.tracker.outOfOrder();
      unexpected += c.tracker.unexpected(accepted);
      closedEarly += c.closedEarly ? 1 : 0;
    }
    Subscribers.Stats stats = subscribers.merged();
    double seconds = (after.nanos - before.nanos) / 1e9;
    line(String.format("published: %d sent at %d/s of %d B, %d accepted, %d failed%s", publisher.sent(), options.rate(),
        options.size(), accepted.cardinality(), publisher.failures(),
        publisher.failures() > 0 ? " (last: " + publisher.lastFailure() + ")" : ""));
    line(String.format("deliveries: %d expected, %d received, LOST %d, DUPLICATED %d, reordered %d (concurrent publishes may be taken in another order), unexpected %d,"
            + " non-bench events %d, streams closed early %d", (long) accepted.cardinality() * open, stats.deliveries,
        lost, duplicates, outOfOrder, unexpected, stats.foreign, closedEarly));
    double perSecond = stats.windowDeliveries / seconds;
    double expectedPerSecond = (double) options.rate() * open;
    line(String.format("window %.1f s: %.0f deliveries/s (offered %.0f/s)", seconds, perSecond, expectedPerSecond));
    double serverCpu = 0;
    StringBuilder perServer = new StringBuilder();
    for (int i = 0; i < servers.list().size(); i++) {
      double cpu = after.serverCpu.get(i) - before.serverCpu.get(i);
      serverCpu += cpu;
      double sys = after.serverSys.get(i) - before.serverSys.get(i);
      perServer.append(String.format("%s%d: %.2f s (%.0f%% of a core; kernel %.2f s)", perServer.length() > 0 ? ", " : "", i, cpu,
          100 * cpu / seconds, sys));
    }
    double machineBusy = (after.machineBusy - before.machineBusy) / (double) Math.max(1, after.machineTotal - before.machineTotal);
    line("server CPU in window: " + perServer + String.format("; total %.2f s", serverCpu));
    if (!options.serverNice().isEmpty()) {
      line("server niceness (from /proc): " + servers.list().stream()
          .map(s -> s.pids().stream().map(ProcStats::niceness).toList().toString()).toList());
    }
    if (after.serverWrites > before.serverWrites) {
      line(String.format("server-side: %d frames written in %d socket writes (%.2f frames per write: >1 when frames queued up)",
          after.serverDelivered - before.serverDelivered, after.serverWrites - before.serverWrites,
          (after.serverDelivered - before.serverDelivered) / (double) (after.serverWrites - before.serverWrites)));
    }
    line(String.format("DELIVERIES PER SERVER CPU-SECOND: %.0f", serverCpu > 0 ? stats.windowDeliveries / serverCpu : Double.NaN));
    line(String.format("bench client CPU in window: %.2f s; whole machine busy %.0f%% of %d cores; load average now %s",
        after.selfCpu - before.selfCpu, 100 * machineBusy, MACHINE_CPUS, ProcStats.loadAverage()));
    StringBuilder waits = new StringBuilder();
    for (int i = 0; i < servers.list().size(); i++) {
      waits.append(i).append(": ").append(runQueueWait(before.serverWait.get(i), after.serverWait.get(i))).append(", ");
    }
    line("run-queue wait in window (threads ready to run while no core was free), server " + waits
        + "bench: " + runQueueWait(before.selfWait, after.selfWait));
    boolean saturated = perSecond < 0.97 * expectedPerSecond || machineBusy > 0.9 || lost > 0;
    String label = saturated ? " [SATURATED run: deliveries behind the offered rate, losses or machine >90% busy;"
        + " these latencies include queueing]" : "";
    line("publish-to-receipt latency, events sent in the window" + label + ":");
    latency(publishNode < 0 ? "  publisher node (none: " + options.publishVia() + " from the bench)" : "  subscribers on the publishing node", stats.local);
    latency("  subscribers on other nodes", stats.remote);
    Map<Integer, Long> perNode = new TreeMap<>();
    subscribers.connections().forEach(c -> perNode.merge(c.node, c.open ? 1L : 0L, Long::sum));
    line("subscribers per node: " + perNode + "; publish node " + (publishNode < 0 ? options.publishVia() : publishNode));
    line("RESULT " + (lost == 0 && duplicates == 0 ? "OK: nothing lost or duplicated" : "ERRORS: lost or duplicated events"));
  }

  private static String runQueueWait(long[] before, long[] after) {
    long waitNanos = after[0] - before[0];
    long runs = after[1] - before[1];
    return String.format("%.2f s over %d runs (%.0f µs each)", waitNanos / 1e9, runs, runs > 0 ? waitNanos / 1e3 / runs : 0.0);
  }

  private void latency(String label, LatencyHistogram h) {
    if (h.count() == 0) {
      line(label + ": no events");
      return;
    }
    line(String.format("%s: n=%d p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms, mean %.2f ms", label, h.count(),
        h.percentile(50) / 1000.0, h.percentile(99) / 1000.0, h.percentile(99.9) / 1000.0, h.max() / 1000.0,
        h.mean() / 1000.0));
  }

  /** CPU readings at one instant. */
  record Sample(long nanos, List<Double> serverCpu, List<Double> serverSys, double selfCpu, long machineBusy, long machineTotal,
                long serverDelivered, long serverWrites, List<long[]> serverWait, long[] selfWait) {
    static Sample take(Servers servers) {
      List<Double> cpu = new ArrayList<>();
      List<Double> sys = new ArrayList<>();
      List<long[]> wait = new ArrayList<>();
      long delivered = 0;
      long writes = 0;
      for (Servers.Server server : servers.list()) {
        cpu.add(ProcStats.cpuSeconds(server.pids()));
        sys.add(ProcStats.systemSeconds(server.pids()));
        wait.add(ProcStats.runQueueWait(server.pids()));
        if (!servers.nchan()) {
          JsonObject health = HealthChecks.read(server);
          delivered += health.getLong("delivered", 0L);
          writes += health.getLong("streamWrites", 0L);
        }
      }
      long[] machine = ProcStats.machineTicks();
      long self = ProcessHandle.current().pid();
      return new Sample(System.nanoTime(), cpu, sys, ProcStats.cpuSeconds(self), machine[0], machine[1],
          delivered, writes, wait, ProcStats.runQueueWait(List.of(self)));
    }
  }

  private static void sleepUntil(long micros) throws InterruptedException {
    long wait = micros - BenchClock.nowMicros();
    if (wait > 0) {
      Thread.sleep(wait / 1000, (int) (wait % 1000) * 1000);
    }
  }

  static <T> T await(Future<T> future, int seconds) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }

  private void line(String text) {
    System.out.println(text);
    report.append(text).append('\n');
  }

  private void save() {
    try {
      Files.createDirectories(WORK_DIR);
      Files.writeString(WORK_DIR.resolve("results.txt"), report + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (Exception e) {
      System.err.println("could not save results: " + e);
    }
  }
}
