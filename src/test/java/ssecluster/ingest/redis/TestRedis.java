package ssecluster.ingest.redis;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import ssecluster.redisserver.LocalRedisServer;
import ssecluster.testsupport.Http;
import ssecluster.testsupport.TestCluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server of the test's own, on a free port (never 6379, where a demo may run), plus a plain
 * client to play the producer: PUBLISH, XADD, and looking at what the nodes left in Redis.
 */
public final class TestRedis implements AutoCloseable {

  private final Vertx vertx;
  private final int port = TestCluster.freePort();
  private final List<String> settings;
  private final String clientUrl;
  private LocalRedisServer server;
  private Redis client;

  public TestRedis(Vertx vertx) {
    this(vertx, List.of(), "");
  }

  /** A server with extra redis.conf lines; the test's own client authenticates with {@code password}. */
  TestRedis(Vertx vertx, List<String> settings, String password) {
    this.vertx = vertx;
    this.settings = settings;
    this.clientUrl = password.isEmpty() ? url() : "redis://:" + password + "@127.0.0.1:" + port;
    start();
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** (Re)starts the server on the same port; it starts empty, like a Redis that lost its data. */
  void start() {
    try {
      server = LocalRedisServer.start(port, settings, line -> { });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    client = Redis.createClient(vertx, clientUrl);
  }

  void stop() {
    try {
      client.close();
      server.stop();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends one command; arguments are strings or raw bytes. */
  public Response send(String command, Object... args) {
    Request request = Request.cmd(Command.create(command));
    for (Object arg : args) {
      if (arg instanceof byte[] bytes) {
        request.arg(Buffer.buffer(bytes));
      } else {
        request.arg(String.valueOf(arg));
      }
    }
    try {
      return client.send(request).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(command + " failed: " + e, e);
    }
  }

  /** XADD to the ingest stream; returns the entry id. */
  /** Orders stream entry ids ({@code millis-seq}) as Redis does. */
  static int compareEntryIds(String a, String b) {
    String[] x = a.split("-");
    String[] y = b.split("-");
    int byTime = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
    return byTime != 0 ? byTime : Long.compare(Long.parseLong(x[1]), Long.parseLong(y[1]));
  }

  String xadd(Object... fieldsAndValues) {
    Object[] args = new Object[fieldsAndValues.length + 2];
    args[0] = "sse:ingest";
    args[1] = "*";
    System.arraycopy(fieldsAndValues, 0, args, 2, fieldsAndValues.length);
    return send("XADD", args).toString();
  }

  public long publish(String channel, Object payload) {
    return send("PUBLISH", channel, payload).toLong();
  }

  /** PUBLISHes the payloads in one pipeline (Redis handles them back to back); returns each one's receiver count. */
  List<Long> publishAll(String channel, List<String> payloads) {
    List<Request> requests = payloads.stream().map(payload -> Request.cmd(Command.PUBLISH).arg(channel).arg(payload)).toList();
    try {
      return client.batch(requests).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
          .stream().map(Response::toLong).toList();
    } catch (Exception e) {
      throw new AssertionError("PUBLISH pipeline failed: " + e, e);
    }
  }

  /** Runs the commands as one MULTI/EXEC transaction; returns EXEC's replies, one per command. */
  Response transaction(List<Request> commands) {
    List<Request> batch = new java.util.ArrayList<>();
    batch.add(Request.cmd(Command.MULTI));
    batch.addAll(commands);
    batch.add(Request.cmd(Command.EXEC));
    try {
      List<Response> replies = client.batch(batch).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      return replies.get(replies.size() - 1);
    } catch (Exception e) {
      throw new AssertionError("MULTI/EXEC failed: " + e, e);
    }
  }

  /** Number of entries read from the ingest stream but not acknowledged yet. */
  long pendingCount() {
    return send("XPENDING", "sse:ingest", "sse-cluster").get(0).toLong();
  }

  @Override
  public void close() {
    stop();
  }

  // ---- what the nodes tell a user ----

  static JsonObject health(int httpPort) {
    HttpResponse<String> response = Http.get(httpPort, "/health");
    if (response.statusCode() != 200) {
      throw new AssertionError("/health answered " + response.statusCode() + ": " + response.body());
    }
    return new JsonObject(response.body());
  }

  static JsonObject redisHealth(int httpPort) {
    return health(httpPort).getJsonObject("redis");
  }

  static long sumOverNodes(List<Integer> httpPorts, String redisField) {
    long sum = 0;
    for (int port : httpPorts) {
      sum += redisHealth(port).getLong(redisField);
    }
    return sum;
  }
}
