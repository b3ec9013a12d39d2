package ssecluster.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Tuple;

import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes at a fixed rate, open loop: message {@code seq} is due at {@code start + seq / rate} and is
 * sent then, however slowly earlier ones are answered (a timer catches up with every message that has
 * fallen due). Each message carries its sequence number and its <em>scheduled</em> send time, so a
 * publisher that falls behind shows up as latency instead of hiding it (no coordinated omission).
 */
final class RatePublisher {

  /** Sends one message; must call {@link RatePublisher#accepted} or {@link RatePublisher#failed}. */
  interface Transport {
    void send(long seq, String data);
  }

  private final Vertx vertx;
  private final int rate;
  private final int size;
  private final BitSet accepted = new BitSet();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong answered = new AtomicLong();
  private volatile String lastFailure = "";
  private Transport transport;
  private long startNanos;
  private long startMicros;
  private long total;
  private long sent;
  private long timer = -1;
  private Runnable onAllSent = () -> { };

  RatePublisher(Vertx vertx, int rate, int size) {
    this.vertx = vertx;
    this.rate = rate;
    this.size = size;
  }

  /** Publishing by POST over a few keep-alive connections (HTTP/1.1, pipelining off). */
  Transport http(Servers.Server server, String path) {
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(32));
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setHost(server.host())
        .setPort(server.port()).setURI(path).putHeader("Content-Type", "text/plain");
    return (seq, data) -> client.request(request)
        .compose(req -> req.send(Buffer.buffer(data)))
        .onComplete(result -> {
          int status = result.succeeded() ? result.result().statusCode() : 0;
          if (status >= 200 && status < 300) {
            accepted(seq);
          } else {
            failed(result.succeeded() ? "HTTP " + status : String.valueOf(result.cause()));
          }
        });
  }

  /**
   * Publishing with the plain event-bus API from a light member; the node's outbound interceptor (installed
   * on the bench's Vert.x by the caller) turns it into a cluster publish. Accepted once handed over.
   */
  Transport eventBus(EventBus eventBus, String namespace) {
    return (seq, data) -> {
      eventBus.publish(namespace, data);
      accepted(seq);
    };
  }

  /**
   * Publishing with Redis PUBLISH on one pipelined connection: the channel is the namespace. Accepted when
   * Redis answers; the nodes' PUBSUB ingest puts it into the cluster once.
   */
  Transport redis(String url, String namespace) throws Exception {
    RedisConnection connection = Redis.createClient(vertx, new RedisOptions().setConnectionString(url)
            .setMaxWaitingHandlers(1_000_000))
        .connect().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    // The nodes elect one of them to PSUBSCRIBE; publishing before that would reach nobody.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (connection.send(Request.cmd(Command.PUBSUB).arg("NUMPAT")).toCompletionStage().toCompletableFuture()
        .get(5, TimeUnit.SECONDS).toInteger() < 1) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no node subscribed to Redis within 30 s");
      }
      Thread.sleep(100);
    }
    return (seq, data) -> connection.send(Request.cmd(Command.PUBLISH).arg(namespace).arg(data))
        .onComplete(result -> {
          if (result.failed()) {
            failed(String.valueOf(result.cause()));
          } else if (result.result().toInteger() < 1) {
            failed("PUBLISH reached no subscriber");
          } else {
            accepted(seq);
          }
        });
  }

  /**
   * Publishing from PostgreSQL on one pipelined connection, in the order of the messages: each is a NOTIFY on the
   * nodes' channel ({@code pg_notify('sse', {"ns", "data"})}) or, with {@code outbox}, a row INSERTed into
   * {@code sse_outbox}, each in a transaction of its own. Accepted once committed; the nodes' listener or outbox
   * drainer puts it into the cluster once. The session commits without waiting for the disk
   * ({@code synchronous_commit off}), so that the drain, not the producer's fsyncs, is what a run measures.
   */
  Transport postgres(String url, String namespace, boolean outbox) throws Exception {
    PgConnection connection = PgConnection.connect(vertx, PgConnectOptions.fromUri(url)
            .addProperty("application_name", "sse-cluster bench").addProperty("synchronous_commit", "off"))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    // The nodes elect one of them to listen and one to drain (creating the outbox table); before that, a
    // notification would reach nobody and the table may not exist.
    String role = outbox ? "sse-cluster outbox" : "sse-cluster listener";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (connection.preparedQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1")
        .execute(Tuple.of(role)).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)
        .iterator().next().getLong(0) < 1) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no node took the '" + role + "' session within 60 s");
      }
      Thread.sleep(100);
    }
    String sql = outbox ? "INSERT INTO sse_outbox (ns, data) VALUES ($1, $2)"
        : "SELECT pg_notify('sse', json_build_object('ns', $1::text, 'data', $2::text)::text)";
    return (seq, data) -> connection.preparedQuery(sql).execute(Tuple.of(namespace, data)).onComplete(result -> {
      if (result.succeeded()) {
        accepted(seq);
      } else {
        failed(String.valueOf(result.cause()));
      }
    });
  }

  synchronized void accepted(long seq) {
    accepted.set((int) seq);
    answered.incrementAndGet();
  }

  void failed(String why) {
    failures.incrementAndGet();
    answered.incrementAndGet();
    lastFailure = why;
  }

  /** Publishes answered so far (accepted or failed). */
  long answered() {
    return answered.get();
  }

  /** Starts sending {@code count} messages; {@code done} runs on the publisher's loop after the last send. */
  void start(Transport transport, long count, Runnable done) {
    this.transport = transport;
    this.total = count;
    this.onAllSent = done;
    vertx.runOnContext(v -> {
      startNanos = System.nanoTime();
      startMicros = BenchClock.nowMicros();
      timer = vertx.setPeriodic(1, id -> catchUp());
      catchUp();
    });
  }

  /** Scheduled send time of the first message, µs of {@link BenchClock}. */
  long startMicros() {
    return startMicros;
  }

  private void catchUp() {
    long elapsedNanos = System.nanoTime() - startNanos;
    long due = Math.min(total, elapsedNanos * rate / 1_000_000_000L + 1);
    while (sent < due) {
      long seq = sent++;
      long scheduledMicros = startMicros + seq * 1_000_000L / rate;
      transport.send(seq, BenchPayload.encode(seq, scheduledMicros, size));
    }
    if (sent >= total && timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
      onAllSent.run();
    }
  }

  /** Messages scheduled so far (read from other threads only after the run, or for progress). */
  long sent() {
    return sent;
  }

  synchronized BitSet acceptedSet() {
    return (BitSet) accepted.clone();
  }

  long failures() {
    return failures.get();
  }

  String lastFailure() {
    return lastFailure;
  }
}
