package ssecluster.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ssecluster.Node;
import ssecluster.config.Settings;
import ssecluster.testsupport.Http;
import ssecluster.testsupport.SseClient;
import ssecluster.testsupport.SseParser.Event;
import ssecluster.testsupport.TestCluster;
import ssecluster.testsupport.Tokens;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static ssecluster.testsupport.Tokens.assertRefused;

/**
 * A node started with a publish secret: only bearers of a JWT signed with it publish over HTTP, and only to
 * the namespaces its {@code publish} claim covers. Refused publishes reach no stream.
 */
class PublishAuthorizationTest {

  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";
  private static TestCluster cluster;
  private static Node node;
  private static Tokens signer;
  private static Tokens otherSigner;

  @BeforeAll
  static void start() {
    cluster = new TestCluster();
    node = cluster.start("--publish-jwt-secret", SECRET);
    signer = new Tokens(cluster.clients(), SECRET);
    otherSigner = new Tokens(cluster.clients(), SECRET + "-but-another-one");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void onlyTokensThatCoverTheNamespacePublish() throws Exception {
    long inAnHour = System.currentTimeMillis() / 1000 + 3600;
    String pets = signer.sign(new JsonObject().put("publish", new JsonArray().add("pets")).put("exp", inAnHour));
    String everything = signer.sign(new JsonObject().put("publish", new JsonArray().add("")).put("exp", inAnHour));
    String noClaim = signer.sign(new JsonObject().put("sub", "someone").put("exp", inAnHour));
    String expired = signer.sign(new JsonObject().put("publish", new JsonArray().add(""))
        .put("exp", System.currentTimeMillis() / 1000 - 60));
    String forged = otherSigner.sign(new JsonObject().put("publish", new JsonArray().add("")).put("exp", inAnHour));
    String neverExpires = signer.sign(new JsonObject().put("publish", new JsonArray().add("")));
    String issuedLater = signer.sign(new JsonObject().put("publish", new JsonArray().add("")).put("exp", inAnHour)
        .put("iat", inAnHour - 60));
    long unauthorizedBefore = node.counters().unauthorizedHttp.sum();

    try (SseClient all = SseClient.open(cluster.clients(), node.httpPort(), "/subscribe")) {
      assertRefused(401, publish("pets/dogs", "no header"), true);
      assertRefused(401, publish("pets/dogs", "not a jwt", "Authorization", "Bearer not.a.jwt"), true);
      assertRefused(401, publish("pets/dogs", "basic", "Authorization", "Basic dXNlcjpwYXNz"), true);
      assertRefused(401, publish("pets/dogs", "forged", "Authorization", "Bearer " + forged), true);
      assertRefused(401, publish("pets/dogs", "expired", "Authorization", "Bearer " + expired), true);
      assertRefused(401, publish("pets/dogs", "no exp", "Authorization", "Bearer " + neverExpires), true);
      assertRefused(401, publish("pets/dogs", "iat ahead", "Authorization", "Bearer " + issuedLater), true);
      assertRefused(403, publish("time", "outside the claim", "Authorization", "Bearer " + pets), false);
      assertRefused(403, publish("petshop", "not under pets", "Authorization", "Bearer " + pets), false);
      assertRefused(403, publish("pets/dogs", "no claim", "Authorization", "Bearer " + noClaim), false);
      // A bad namespace is still a 400, whoever asks.
      assertEquals(400, publish("pets..dogs", "bad namespace", "Authorization", "Bearer " + pets).statusCode());

      assertEquals(202, publish("pets", "pets itself", "Authorization", "Bearer " + pets).statusCode());
      assertEquals(202, publish("pets/dogs", "a descendant", "Authorization", "bearer " + pets).statusCode());
      assertEquals(202, publish("time", "root claim", "Authorization", "Bearer " + everything).statusCode());

      List<Event> events = all.awaitData("root claim", Duration.ofSeconds(20));
      assertEquals(List.of("pets itself", "a descendant", "root claim"), events.stream().map(Event::data).toList(),
          "only the authorized publishes reach the stream");
    }
    assertEquals(10, node.counters().unauthorizedHttp.sum() - unauthorizedBefore);
  }

  @Test
  void aSecretTooShortForHs256IsRefusedAtStart() {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> Settings.of("--publish-jwt-secret", "short"));
    assertTrue(refused.getMessage().contains("at least 32 bytes"), refused.getMessage());
    assertTrue(Settings.of("--publish-jwt-secret", SECRET).describe().contains("*** (set)"));
    assertTrue(!Settings.of("--publish-jwt-secret", SECRET).describe().contains(SECRET), "the log never shows the secret");
  }

  private static HttpResponse<String> publish(String path, String data, String... headers) {
    return Http.post(node.httpPort(), "/publish/" + path, data, headers);
  }
}
