package ssecluster;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import ssecluster.bus.BusAddresses;
import ssecluster.cluster.ClusterFactory;
import ssecluster.config.Settings;
import ssecluster.postgresserver.LocalPostgresServer;
import ssecluster.postgresserver.ProductsDemo;
import ssecluster.redisserver.LocalRedisServer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * Command line: {@code node} (the default) runs a node; {@code publish NS DATA [--event E]} joins the
 * cluster as a light member, publishes once, prints the message id and leaves.
 */
public final class Main {

  static {
    // Must precede the first use of java.util.logging (see NodeLogManager); -D on the command line wins.
    if (System.getProperty("java.util.logging.manager") == null) {
      System.setProperty("java.util.logging.manager", NodeLogManager.class.getName());
    }
  }

  private static final long PUBLISH_TIMEOUT_MILLIS = 20_000;
  /** Strong references: java.util.logging forgets the level of a logger nobody holds. */
  private static final List<Logger> QUIET_LOGGERS = List.of(Logger.getLogger("com.hazelcast"), Logger.getLogger("io.vertx"));

  private Main() {
  }

  public static void main(String[] args) {
    configureLogging();
    Thread.setDefaultUncaughtExceptionHandler(Main::uncaught);
    List<String> arguments = new ArrayList<>(Arrays.asList(args));
    if (arguments.contains("--help") || arguments.contains("-h") || (!arguments.isEmpty() && arguments.get(0).equals("help"))) {
      System.out.println(usage());
      return;
    }
    String command = !arguments.isEmpty() && !arguments.get(0).startsWith("--") ? arguments.remove(0) : "node";
    try {
      switch (command) {
        case "node" -> runNode(arguments);
        case "publish" -> System.exit(runPublish(arguments));
        case "redis" -> runRedis(arguments);
        case "postgres" -> runPostgres(arguments);
        default -> throw new IllegalArgumentException("unknown command '" + command + "'\n" + usage());
      }
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
    }
  }

  private static void runNode(List<String> arguments) {
    List<String> positional = new ArrayList<>();
    Settings settings = Settings.load(arguments, System.getenv(), positional);
    if (!positional.isEmpty()) {
      throw new IllegalArgumentException("unexpected argument(s) " + positional);
    }
    Logger log = Logger.getLogger(Main.class.getName());
    log.info("Starting node with settings:\n" + settings.describe());
    Node node;
    try {
      node = Node.start(settings).toCompletionStage().toCompletableFuture().get();
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      log.log(Level.SEVERE, "Node failed to start: " + cause.getMessage(), cause);
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("Shutting down: ending SSE streams and leaving the cluster");
      try {
        node.stop().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        log.info("Left the cluster; bye");
      } catch (Exception e) {
        log.log(Level.WARNING, "Shutdown did not complete cleanly: " + e, e);
      }
      for (java.util.logging.Handler handler : Logger.getLogger("").getHandlers()) {
        handler.flush();
      }
    }, "shutdown"));
  }

  /** A local, real Redis for the demo: stays in the foreground until the process is stopped. */
  private static void runRedis(List<String> arguments) {
    int port = 6379;
    if (arguments.size() == 2 && arguments.get(0).equals("--port")) {
      try {
        port = Integer.parseInt(arguments.get(1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--port must be a number");
      }
    } else if (!arguments.isEmpty()) {
      throw new IllegalArgumentException("usage: redis [--port PORT]");
    }
    LocalRedisServer server;
    try {
      server = LocalRedisServer.start(port, System.out::println);
    } catch (IOException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(1);
      return;
    }
    System.out.println("Embedded redis-server ready on 127.0.0.1:" + port + "; it stops with this process");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.stop();
      } catch (IOException e) {
        System.err.println("warning: redis-server did not stop cleanly: " + e.getMessage());
      }
      stopped.countDown();
    }, "redis-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A local, real PostgreSQL for the demo, with the products table and its trigger: stays in the foreground until
   * the process is stopped, then stops the server and deletes its data.
   */
  private static void runPostgres(List<String> arguments) {
    int port = 5432;
    String channel = "sse";
    for (int i = 0; i < arguments.size(); i += 2) {
      String flag = arguments.get(i);
      if (i + 1 >= arguments.size() || !(flag.equals("--port") || flag.equals("--channel"))) {
        throw new IllegalArgumentException("usage: postgres [--port PORT] [--channel CHANNEL]");
      }
      if (flag.equals("--port")) {
        try {
          port = Integer.parseInt(arguments.get(i + 1));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--port must be a number");
        }
      } else {
        channel = arguments.get(i + 1);
      }
    }
    // Registered before the server starts, so that a stop while it starts deletes its data too.
    AtomicReference<LocalPostgresServer> running = new AtomicReference<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Path data;
    try {
      data = Files.createTempDirectory("sse-cluster-postgres");
    } catch (IOException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        if (running.get() != null) {
          running.get().stop();
        }
        LocalPostgresServer.deleteData(data);
      } catch (IOException e) {
        System.err.println("warning: PostgreSQL did not stop cleanly: " + e.getMessage());
      }
      stopped.countDown();
    }, "postgres-shutdown"));
    LocalPostgresServer server;
    try {
      server = LocalPostgresServer.start(port, data, ProcessBuilder.Redirect.INHERIT);
      running.set(server);
    } catch (IOException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(1);
      return;
    }
    try (Connection connection = server.connect()) {
      ProductsDemo.create(connection, channel);
    } catch (SQLException e) {
      System.err.println("error: could not create the products demo: " + e.getMessage());
      System.exit(1);
      return;
    }
    System.out.println("Embedded PostgreSQL ready on 127.0.0.1:" + port + " (" + server.url() + "), with the products"
        + " demo notifying on channel '" + channel + "'; it stops with this process, keeping no data");
    System.out.println("  try: " + ProductsDemo.tryLine(port));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int runPublish(List<String> arguments) {
    String event = null;
    int eventFlag = arguments.indexOf("--event");
    if (eventFlag >= 0) {
      if (eventFlag + 1 >= arguments.size()) {
        throw new IllegalArgumentException("--event needs a value");
      }
      event = arguments.get(eventFlag + 1);
      arguments.subList(eventFlag, eventFlag + 2).clear();
    }
    List<String> positional = new ArrayList<>();
    Settings settings = Settings.load(arguments, System.getenv(), positional);
    if (positional.size() != 2) {
      throw new IllegalArgumentException("usage: publish NAMESPACE DATA [--event NAME]");
    }
    JsonObject request = new JsonObject().put("ns", positional.get(0)).put("data", positional.get(1));
    if (event != null) {
      request.put("event", event);
    }
    // A light member only carries messages: quiet Hazelcast and Vert.x so the output is the answer.
    QUIET_LOGGERS.forEach(logger -> logger.setLevel(Level.OFF));
    ClusterFactory.ClusteredVertx clustered;
    try {
      clustered = await(ClusterFactory.join(settings, true));
    } catch (Exception e) {
      Throwable cause = rootCause(e);
      System.err.println(cause.getClass().getSimpleName().equals("NoDataMemberInClusterException")
          ? "error: no node of the cluster is running to take the message (start one with ./run.sh)"
          : "error: could not join the cluster: " + cause.getMessage());
      return 1;
    }
    try {
      JsonObject reply = await(clustered.vertx().eventBus()
          .<JsonObject>request(BusAddresses.PUBLISH_REQUEST, request, new DeliveryOptions().setSendTimeout(PUBLISH_TIMEOUT_MILLIS))
          .map(message -> message.body()));
      System.out.println(reply.encode());
      return 0;
    } catch (Exception e) {
      Throwable cause = rootCause(e);
      if (cause instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS) {
        System.err.println("error: no node of the cluster is running to take the message (start one with ./run.sh)");
      } else if (cause instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
        System.err.println("error: rejected: " + reply.getMessage());
      } else {
        System.err.println("error: could not publish: " + cause);
      }
      return 1;
    } finally {
      try {
        await(clustered.vertx().close());
      } catch (Exception ignored) {
        // Leaving is best effort; the cluster notices a light member that vanished.
      }
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(PUBLISH_TIMEOUT_MILLIS * 2, TimeUnit.MILLISECONDS);
  }

  private static Throwable rootCause(Throwable e) {
    Throwable cause = e;
    while ((cause instanceof java.util.concurrent.ExecutionException || cause instanceof java.util.concurrent.CompletionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /**
   * Vert.x may hand a last completion to an event loop it has just shut down while closing; that is
   * harmless and not worth a stack trace. Anything else is a bug and is logged as one.
   */
  private static void uncaught(Thread thread, Throwable error) {
    Logger log = Logger.getLogger(Main.class.getName());
    if (error instanceof java.util.concurrent.RejectedExecutionException) {
      log.log(Level.FINE, "Task rejected by a closed event loop on " + thread.getName(), error);
    } else {
      log.log(Level.SEVERE, "Uncaught exception on " + thread.getName(), error);
    }
  }

  private static void configureLogging() {
    if (System.getProperty("java.util.logging.config.file") != null) {
      return;
    }
    try (InputStream config = Main.class.getResourceAsStream("/sse-logging.properties")) {
      if (config != null) {
        LogManager.getLogManager().readConfiguration(config);
      }
    } catch (IOException e) {
      System.err.println("warning: default logging configuration not loaded: " + e);
    }
  }

  private static String usage() {
    return """
        usage: java -jar sse-cluster.jar [node] [OPTIONS]          run a node
               java -jar sse-cluster.jar publish NS DATA [--event NAME] [OPTIONS]
                                                                   publish once through the cluster
               java -jar sse-cluster.jar redis [--port PORT]       run a local, real Redis (no data kept)
               java -jar sse-cluster.jar postgres [--port PORT] [--channel CHANNEL]
                                                                   run a local, real PostgreSQL with the products
                                                                   demo (no data kept)

        options (flag, environment variable, meaning):
        """ + Settings.help();
  }
}
