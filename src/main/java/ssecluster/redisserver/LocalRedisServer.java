package ssecluster.redisserver;

import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;
import redis.embedded.core.RedisServerBuilder;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * A real redis-server process on 127.0.0.1, for the demo ({@code run.sh}) and tests: the binary shipped
 * in the embedded-redis artifact, or a {@code redis-server} on the PATH when that one cannot run here.
 * It keeps nothing on disk: a restart starts empty, like a Redis that lost its data.
 */
public final class LocalRedisServer implements AutoCloseable {

  private final int port;
  private final RedisServer server;

  private LocalRedisServer(int port, RedisServer server) {
    this.port = port;
    this.server = server;
  }

  /** Starts a server on the port and returns once it accepts connections. */
  public static LocalRedisServer start(int port, Consumer<String> log) throws IOException {
    return start(port, List.of(), log);
  }

  /** The same with extra redis.conf lines, such as {@code requirepass secret} or the {@code tls-*} settings. */
  public static LocalRedisServer start(int port, List<String> settings, Consumer<String> log) throws IOException {
    try {
      return start(port, ExecutableProvider.newJarResourceProvider(), settings, log);
    } catch (IOException | RuntimeException embeddedFailed) {
      try {
        return start(port, ExecutableProvider.newExecutableInPath("redis-server"), settings, log);
      } catch (IOException | RuntimeException pathFailed) {
        embeddedFailed.addSuppressed(pathFailed);
        throw new IOException("could not start the embedded redis-server on port " + port
            + " (nor a redis-server from the PATH): " + embeddedFailed.getMessage(), embeddedFailed);
      }
    }
  }

  private static LocalRedisServer start(int port, ExecutableProvider binary, List<String> settings,
                                        Consumer<String> log) throws IOException {
    RedisServerBuilder builder = RedisServer.newRedisServer()
        .executableProvider(binary)
        .bind("127.0.0.1")
        .port(port)
        .setting("save \"\"")
        .setting("appendonly no")
        .soutListener(log)
        .serrListener(log);
    settings.forEach(builder::setting);
    RedisServer server = builder.build();
    server.start();
    return new LocalRedisServer(port, server);
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public boolean isActive() {
    return server.isActive();
  }

  /** Stops the server (SIGTERM) and waits for it to exit. */
  public void stop() throws IOException {
    server.stop();
  }

  @Override
  public void close() throws IOException {
    stop();
  }
}
