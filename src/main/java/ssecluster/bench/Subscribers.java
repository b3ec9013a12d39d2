package ssecluster.bench;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bench's SSE clients: many connections on a few event loops, each with its own parser and sequence
 * tracker. Latency and delivery counts go to per-thread {@link Stats}, split by whether the subscriber
 * is on the node that took the publish ("local") or on another node ("remote").
 */
final class Subscribers {

  /** Counts of one client thread; merged at the end. Guarded by its own monitor (uncontended). */
  static final class Stats {
    final LatencyHistogram local = new LatencyHistogram();
    final LatencyHistogram remote = new LatencyHistogram();
    long windowDeliveries;
    long deliveries;
    long foreign;
  }

  /** One SSE connection. */
  final class Connection implements SseParser.Listener {
    final int node;
    final boolean local;
    final SequenceTracker tracker = new SequenceTracker();
    final SseParser parser = new SseParser(this);
    volatile boolean open;
    volatile boolean closedEarly;

    Connection(int node, boolean local) {
      this.node = node;
      this.local = local;
    }

    void onBytes(Buffer buffer) {
      ByteBuf buf = ((BufferInternal) buffer).getByteBuf();
      if (buf.hasArray()) {
        parser.feed(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes());
      } else {
        parser.feed(buffer.getBytes());
      }
    }

    @Override
    public void onEvent(String id, String event, String data) {
      long now = BenchClock.nowMicros();
      Stats stats = STATS.get();
      BenchPayload.Parsed payload = BenchPayload.parse(data);
      synchronized (stats) {
        if (payload == null) {
          stats.foreign++;
          return;
        }
        tracker.record(payload.seq());
        stats.deliveries++;
        if (now >= windowStartMicros && now < windowEndMicros) {
          stats.windowDeliveries++;
        }
        if (payload.sendMicros() >= windowStartMicros && payload.sendMicros() < windowEndMicros) {
          (local ? stats.local : stats.remote).record(now - payload.sendMicros());
        }
      }
    }
  }

  private final ThreadLocal<Stats> STATS = ThreadLocal.withInitial(this::newStats);
  private final ConcurrentLinkedQueue<Stats> allStats = new ConcurrentLinkedQueue<>();
  private final List<Connection> connections = new ArrayList<>();
  private final List<HttpClientAgent> clients = new ArrayList<>();
  private final Vertx vertx;
  private final Servers servers;
  private final AtomicInteger failures = new AtomicInteger();
  /** Set before the bench closes its own connections, so those closes do not count as server-side ends. */
  private volatile boolean closing;
  private volatile long windowStartMicros = Long.MAX_VALUE;
  private volatile long windowEndMicros = Long.MAX_VALUE;
  private String lastFailure = "";

  Subscribers(Vertx vertx, Servers servers, int sourceAddresses) {
    this.vertx = vertx;
    this.servers = servers;
    for (int i = 1; i <= Math.max(1, sourceAddresses); i++) {
      HttpClientOptions options = new HttpClientOptions()
          .setLocalAddress("127.0.0." + i)
          .setKeepAlive(true)
          .setTcpNoDelay(true)
          .setIdleTimeout(0);
      clients.add(vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(100_000)));
    }
  }

  private Stats newStats() {
    Stats stats = new Stats();
    allStats.add(stats);
    return stats;
  }

  /** Deliveries and latencies count only within [start, end) (µs of {@link BenchClock}). */
  void window(long startMicros, long endMicros) {
    windowStartMicros = startMicros;
    windowEndMicros = endMicros;
  }

  /**
   * Opens {@code count} more connections, spread round-robin over {@code nodes}, at most {@code concurrency}
   * being set up at once; completes when all have their response headers (or failed).
   */
  Future<Void> open(int count, List<Integer> nodes, int publishNode, String namespace, int concurrency) {
    Promise<Void> done = Promise.promise();
    if (count == 0) {
      done.complete();
      return done.future();
    }
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    int base = connections.size();
    for (int i = 0; i < count; i++) {
      int node = nodes.get((base + i) % nodes.size());
      connections.add(new Connection(node, node == publishNode));
    }
    Runnable[] launch = new Runnable[1];
    launch[0] = () -> {
      int index = next.getAndIncrement();
      if (index >= count) {
        return;
      }
      Connection connection = connections.get(base + index);
      connect(connection, base + index, namespace).onComplete(r -> {
        if (finished.incrementAndGet() == count) {
          done.complete();
        } else {
          launch[0].run();
        }
      });
    };
    // A client connection stays on the event loop of the context that opened it, and every call from the
    // main thread gets the same ("sticky") context: each lane gets a context of its own, round-robin over
    // the loops, so the connections (and the parsing of their events) are spread over --client-loops.
    for (int i = 0; i < Math.min(concurrency, count); i++) {
      ((VertxInternal) vertx).createEventLoopContext().runOnContext(v -> launch[0].run());
    }
    return done.future();
  }

  private Future<Void> connect(Connection connection, int index, String namespace) {
    Servers.Server server = servers.list().get(connection.node);
    HttpClientAgent client = clients.get(index % clients.size());
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost(server.host())
        .setPort(server.port()).setURI(servers.subscribePath(namespace)).putHeader("Accept", "text/event-stream");
    return client.request(request)
        .compose(req -> req.send())
        .compose(response -> {
          if (response.statusCode() != 200) {
            return Future.failedFuture("HTTP " + response.statusCode());
          }
          response.handler(connection::onBytes);
          response.endHandler(v -> connection.closedEarly |= !closing);
          response.exceptionHandler(e -> connection.closedEarly |= !closing);
          connection.open = true;
          return Future.<Void>succeededFuture();
        })
        .onFailure(e -> {
          failures.incrementAndGet();
          lastFailure = e.toString();
        });
  }

  List<Connection> connections() {
    return connections;
  }

  int failures() {
    return failures.get();
  }

  String lastFailure() {
    return lastFailure;
  }

  long openCount() {
    return connections.stream().filter(c -> c.open && !c.closedEarly).count();
  }

  /** Client threads that have parsed events so far. */
  int threadsSeen() {
    return allStats.size();
  }

  /** Events received so far, all threads (for waiting until deliveries stop). */
  long deliveriesSoFar() {
    long total = 0;
    for (Stats stats : allStats) {
      synchronized (stats) {
        total += stats.deliveries;
      }
    }
    return total;
  }

  /** All client threads' figures merged; call once the run is over. */
  Stats merged() {
    Stats total = new Stats();
    for (Stats stats : allStats) {
      synchronized (stats) {
        total.local.merge(stats.local);
        total.remote.merge(stats.remote);
        total.windowDeliveries += stats.windowDeliveries;
        total.deliveries += stats.deliveries;
        total.foreign += stats.foreign;
      }
    }
    return total;
  }

  Future<Void> close() {
    closing = true;
    List<Future<Void>> closing = new ArrayList<>();
    clients.forEach(c -> closing.add(c.close()));
    return Future.all(closing).mapEmpty();
  }
}
