package ssecluster.http;

import io.vertx.core.http.HttpVersion;
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
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static ssecluster.testsupport.Tokens.assertRefused;

/**
 * A node started with a subscribe secret: a stream opens only with a JWT signed with it whose
 * {@code subscribe} claim covers every namespace asked for, sent as a bearer header or (as EventSource
 * must) {@code ?access_token=}; the stream ends when the token expires. Publishing stays open here.
 */
class SubscribeAuthorizationTest {

  private static final String SECRET = "another-test-secret-long-enough-for-hs256";
  private static TestCluster cluster;
  private static Node node;
  private static Tokens signer;
  private static Tokens otherSigner;

  @BeforeAll
  static void start() {
    cluster = new TestCluster();
    node = cluster.start("--subscribe-jwt-secret", SECRET);
    signer = new Tokens(cluster.clients(), SECRET);
    otherSigner = new Tokens(cluster.clients(), SECRET + "-but-another-one");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void onlyTokensThatCoverEveryNamespaceOpenAStream() throws Exception {
    String pets = signer.sign(grants("pets"));
    String everything = signer.sign(grants(""));
    String expired = signer.sign(grants("").put("exp", System.currentTimeMillis() / 1000 - 60));
    String forged = otherSigner.sign(grants(""));
    String publishOnly = signer.sign(new JsonObject().put("publish", new JsonArray().add("")));
    // Signed, but with an exp that is no time: once it made the check throw, and the request hung.
    String oddExpiry = signer.sign(grants("").put("exp", "tomorrow"));
    long refusedBefore = node.counters().unauthorizedSubscriptions.sum();

    assertRefused(401, get("/subscribe/pets"), true);
    assertRefused(401, get("/subscribe/pets?access_token=not.a.jwt"), true);
    assertRefused(401, get("/subscribe/pets", "Authorization", "Bearer " + forged), true);
    assertRefused(401, get("/subscribe/pets?access_token=" + expired), true);
    assertRefused(401, get("/subscribe/pets?access_token=" + oddExpiry), true);
    assertRefused(403, get("/subscribe?access_token=" + pets), false);
    assertRefused(403, get("/subscribe/petshop?access_token=" + pets), false);
    assertRefused(403, get("/subscribe?ns=pets.dogs&ns=time&access_token=" + pets), false);
    assertRefused(403, get("/subscribe/pets", "Authorization", "Bearer " + publishOnly), false);
    // A bad namespace is still a 400, whoever asks.
    assertEquals(400, get("/subscribe/pets/do..gs?access_token=" + pets).statusCode());
    assertEquals(9, node.counters().unauthorizedSubscriptions.sum() - refusedBefore);

    try (SseClient dogs = SseClient.open(cluster.clients(), node.httpPort(), "/subscribe/pets/dogs", HttpVersion.HTTP_1_1,
             Map.of("Authorization", "Bearer " + pets));
         SseClient dogsAndCats = SseClient.open(cluster.clients(), node.httpPort(),
             "/subscribe?ns=pets.dogs,pets.cats&access_token=" + pets, HttpVersion.HTTP_2, Map.of());
         SseClient all = SseClient.open(cluster.clients(), node.httpPort(), "/subscribe?access_token=" + everything)) {
      publish("pets/dogs", "Rex");
      publish("pets/cats", "Tom");
      publish("time", "tick");

      assertEquals(List.of("Rex", "Tom", "tick"), data(all.awaitData("tick", Duration.ofSeconds(20))));
      assertEquals(List.of("Rex", "Tom"), data(dogsAndCats.awaitData("Tom", Duration.ofSeconds(20))));
      assertEquals(List.of("Rex"), data(dogs.awaitData("Rex", Duration.ofSeconds(20))));
      assertFalse(dogs.hasEnded() || dogsAndCats.hasEnded() || all.hasEnded(), "tokens without exp keep their streams open");
    }
  }

  @Test
  void aStreamEndsWhenItsTokenExpires() throws Exception {
    long expSeconds = System.currentTimeMillis() / 1000 + 3;
    String shortLived = signer.sign(grants("pets").put("exp", expSeconds));
    long expiredBefore = node.counters().streamsExpired.sum();

    try (SseClient stream = SseClient.open(cluster.clients(), node.httpPort(), "/subscribe/pets?access_token=" + shortLived)) {
      publish("pets", "while the token is valid");
      stream.awaitData("while the token is valid", Duration.ofSeconds(20));

      stream.awaitEnd(Duration.ofSeconds(20));
      assertTrue(System.currentTimeMillis() >= expSeconds * 1000 - 50, "the stream ended at the token's exp, not before");
      assertEquals(1, node.counters().streamsExpired.sum() - expiredBefore);
    }
    // The same token cannot open it again: EventSource's reconnect gets a 401 and the page needs a new token.
    while (System.currentTimeMillis() < expSeconds * 1000 + 1100) {
      Thread.sleep(100);
    }
    assertRefused(401, get("/subscribe/pets?access_token=" + shortLived), true);
  }

  @Test
  void aSecretTooShortForHs256IsRefusedAtStart() {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> Settings.of("--subscribe-jwt-secret", "short"));
    assertTrue(refused.getMessage().contains("--subscribe-jwt-secret must be at least 32 bytes"), refused.getMessage());
    assertFalse(Settings.of("--subscribe-jwt-secret", SECRET).describe().contains(SECRET), "the log never shows the secret");
  }

  private static JsonObject grants(String... namespaces) {
    return new JsonObject().put("subscribe", new JsonArray(List.of((Object[]) namespaces)));
  }

  private static List<String> data(List<Event> events) {
    return events.stream().map(Event::data).toList();
  }

  private static HttpResponse<String> get(String pathAndQuery, String... headers) {
    return Http.get(node.httpPort(), pathAndQuery, headers);
  }

  private static void publish(String path, String data) {
    assertEquals(202, Http.post(node.httpPort(), "/publish/" + path, data).statusCode());
  }
}
