package ssecluster.ingest.redis;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import org.junit.jupiter.api.Test;
import ssecluster.Node;
import ssecluster.testsupport.Await;
import ssecluster.testsupport.SseClient;
import ssecluster.testsupport.SseParser.Event;
import ssecluster.testsupport.TestCluster;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A Redis that wants a password and TLS, as a real deployment may: a {@code rediss://:PASSWORD@HOST:PORT}
 * URL and the CA to trust are all a node needs. The password never shows in {@code /health}.
 */
class RedisSecureUrlTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void ingestsOverTlsWithAPassword() throws Exception {
    Vertx clients = Vertx.vertx();
    SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    int tlsPort = TestCluster.freePort();
    try (TestRedis redis = new TestRedis(clients, List.of(
             "requirepass s3cret",
             "tls-port " + tlsPort,
             "tls-cert-file " + certificate.certificatePath(),
             "tls-key-file " + certificate.privateKeyPath(),
             "tls-auth-clients no"), "s3cret");
         TestCluster cluster = new TestCluster()) {
      Node node = cluster.start("--redis-ingest", "true", "--redis", "rediss://:s3cret@localhost:" + tlsPort,
          "--redis-tls-ca", certificate.certificatePath());
      Await.until("the node reads PUBSUB over TLS", WAIT,
          () -> TestRedis.redisHealth(node.httpPort()).getBoolean("pubsubLeader"));
      JsonObject health = TestRedis.redisHealth(node.httpPort());
      assertEquals("connected", health.getString("state"));
      assertFalse(health.encode().contains("s3cret"), "no password in /health: " + health);

      try (SseClient client = SseClient.open(clients, node.httpPort(), "/subscribe/secure")) {
        redis.publish("secure.pubsub", "over-tls");
        redis.xadd("ns", "secure.stream", "event", "tls", "data", "entry-over-tls");
        client.awaitData("over-tls", WAIT);
        client.awaitData("entry-over-tls", WAIT);
        assertEquals(List.of("entry-over-tls", "over-tls"), client.events().stream().map(Event::data).sorted().toList());
      }
    } finally {
      certificate.delete();
      clients.close();
    }
  }
}
