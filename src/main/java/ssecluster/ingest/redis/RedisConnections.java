package ssecluster.ingest.redis;

import io.vertx.core.Vertx;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import ssecluster.config.Settings;

/** How this node connects to Redis: the URL (password, TLS, database), TLS trust, short connect timeouts. */
final class RedisConnections {

  private static final int CONNECT_TIMEOUT_MILLIS = 2000;

  private RedisConnections() {
  }

  static RedisOptions options(Settings settings) {
    RedisOptions options = new RedisOptions().setConnectionString(settings.redisUrl());
    // A Redis that does not answer must fail the attempt quickly, so backoff and takeover stay bounded.
    options.getNetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MILLIS).setTcpKeepAlive(true)
        // rediss:// checks that the certificate names the host, as HTTPS does (Vert.x 5 demands a choice).
        .setHostnameVerificationAlgorithm("HTTPS");
    if (!settings.redisTlsCa().isEmpty()) {
      options.getNetClientOptions().setTrustOptions(new PemTrustOptions().addCertPath(settings.redisTlsCa()));
    }
    return options;
  }

  /**
   * A client for one dedicated connection (PSUBSCRIBE, blocking XREADGROUP). Closing the client closes
   * its socket for real, which a pooled connection's close() would not do.
   */
  static Redis dedicated(Vertx vertx, RedisOptions options) {
    return Redis.createClient(vertx, new RedisOptions(options).setMaxPoolSize(1).setMaxPoolWaiting(1));
  }
}
