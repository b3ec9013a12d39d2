package ssecluster.bench;

import io.vertx.core.Vertx;

import java.util.List;
import java.util.function.Consumer;

/**
 * Idle mode: connections that receive nothing but keepalives, added in steps (0, 5,000, 10,000, 15,000 by
 * default) to the first server. At each step, after a settle time: RSS, and for a JVM node heap used after
 * a full GC and NMT's committed non-heap memory; then the server's CPU over a window (keepalives only).
 * The cost per connection is the growth between the first and the last step divided by the connections
 * added.
 */
final class IdleRun {

  private record Step(int connections, long rssKib, JvmMemory.Snapshot jvm, double cpuPercent) {
  }

  private final BenchOptions options;
  private final Servers servers;
  private final Vertx vertx;
  private final Consumer<String> out;

  IdleRun(BenchOptions options, Servers servers, Vertx vertx, Consumer<String> out) {
    this.options = options;
    this.servers = servers;
    this.vertx = vertx;
    this.out = out;
  }

  void run() throws Exception {
    Servers.Server server = servers.list().get(0);
    if (server.pids().isEmpty()) {
      throw new IllegalArgumentException("idle mode needs the server's pid (--pids) or a server started by the bench");
    }
    long pid = server.pids().get(0);
    boolean jvm = !servers.nchan();
    Subscribers subscribers = new Subscribers(vertx, servers, options.sourceAddresses());
    out.accept(String.format("%-11s %10s %11s %13s %11s %9s %s", "connections", "RSS MiB", "heap MiB", "non-heap MiB",
        "other MiB", "CPU %", "(heap: used after full GC; non-heap: NMT committed minus Java heap; other: NMT Other = direct buffers; CPU: % of one core over the window)"));
    Step first = null;
    Step last = null;
    for (int target : options.idleSteps()) {
      int more = target - subscribers.connections().size();
      if (more > 0) {
        Bench.await(subscribers.open(more, List.of(0), 0, options.namespace(), options.connectConcurrency()), 600);
      }
      Thread.sleep(options.idleSettleSeconds() * 1000L);
      JvmMemory.Snapshot memory = jvm ? JvmMemory.read(pid) : null;
      long rss = 0;
      for (long p : server.pids()) {
        rss += Math.max(0, ProcStats.rssKib(p));
      }
      double cpuBefore = ProcStats.cpuSeconds(server.pids());
      long start = System.nanoTime();
      Thread.sleep(options.idleWindowSeconds() * 1000L);
      double cpu = ProcStats.cpuSeconds(server.pids()) - cpuBefore;
      double percent = 100 * cpu / ((System.nanoTime() - start) / 1e9);
      Step step = new Step((int) subscribers.openCount(), rss, memory, percent);
      out.accept(String.format("%-11d %10.1f %11s %13s %11s %9.2f   (requested %d, failed %d%s; load avg %s)", step.connections,
          rss / 1024.0, mib(memory == null ? -1 : memory.heapUsed()), mib(memory == null ? -1 : memory.nonHeapCommitted()),
          mib(memory == null ? -1 : memory.otherCommitted()), percent, target, subscribers.failures(),
          subscribers.failures() > 0 ? ": " + subscribers.lastFailure() : "", ProcStats.loadAverage()));
      if (first == null) {
        first = step;
      }
      last = step;
    }
    if (first != null && last != null && last.connections > first.connections) {
      double added = last.connections - first.connections;
      double rssPer = (last.rssKib - first.rssKib) * 1024.0 / added;
      StringBuilder summary = new StringBuilder(String.format("per connection (%d -> %d): RSS %.0f B", first.connections,
          last.connections, rssPer));
      if (jvm && first.jvm.heapUsed() >= 0 && first.jvm.nonHeapCommitted() >= 0) {
        double heapPer = (last.jvm.heapUsed() - first.jvm.heapUsed()) * 1024.0 / added;
        double nonHeapPer = (last.jvm.nonHeapCommitted() - first.jvm.nonHeapCommitted()) * 1024.0 / added;
        summary.append(String.format(", heap %.0f B, non-heap (direct + native) %.0f B, HEAP + DIRECT + NATIVE %.0f B",
            heapPer, nonHeapPer, heapPer + nonHeapPer));
      }
      summary.append(String.format("; CPU at %d idle connections %.2f%% of one core (at %d: %.2f%%)", last.connections,
          last.cpuPercent, first.connections, first.cpuPercent));
      out.accept(summary.toString());
    }
    Bench.await(subscribers.close(), 60);
  }

  private static String mib(long kib) {
    return kib < 0 ? "-" : String.format("%.1f", kib / 1024.0);
  }
}
