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
import java.util.LinkedHashMap;
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
    String publishOnly = signer.sign(new JsonObject().put("publish", new JsonArray().add("")).put("exp", inAnHour()));
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
      assertFalse(dogs.hasEnded() || dogsAndCats.hasEnded() || all.hasEnded(), "tokens valid for an hour keep their streams open");
    }
  }

  @Test
  void tokenTimesAreCheckedAndEveryRefusalIsAPlainSentence() throws Exception {
    long now = System.currentTimeMillis() / 1000;
    Map<String, String> refusals = new LinkedHashMap<>();
    refusals.put(signer.sign(grants("").put("exp", "tomorrow")), "'exp' claim must be a number");
    refusals.put(signer.sign(grants("").put("nbf", "soon")), "'nbf' claim must be a number");
    refusals.put(signer.sign(grants("").put("exp", now - 60)), "the token expired at ");
    refusals.put(signer.sign(grants("").put("nbf", now + 600)), "is not valid before ");
    refusals.put(signer.sign(grants("").put("iat", now + 600)), "('iat'), which is in the future");
    refusals.put(signer.sign(new JsonObject().put("subscribe", new JsonArray().add(""))), "has no 'exp'");
    refusals.put(otherSigner.sign(grants("")), "not signed with this node's secret");
    refusals.put("not.a.jwt", "not a JWT");
    refusals.put("a.b", "not a JWT");
    for (Map.Entry<String, String> refusal : refusals.entrySet()) {
      HttpResponse<String> answer = get("/subscribe/pets?access_token=" + refusal.getKey());
      assertRefused(401, answer, true);
      String error = new JsonObject(answer.body()).getString("error");
      assertTrue(error.contains(refusal.getValue()), "'" + refusal.getValue() + "' in: " + error);
      assertFalse(error.contains("Exception") || error.contains("java.") || error.contains("class "), error);
    }
    // Times within the allowed clock skew, and a fractional exp, are fine.
    String slightlyAhead = signer.sign(grants("pets").put("nbf", now + 2).put("iat", now + 2).put("exp", now + 600.5));
    try (SseClient stream = SseClient.open(cluster.clients(), node.httpPort(), "/subscribe/pets?access_token=" + slightlyAhead)) {
      assertFalse(stream.hasEnded());
    }
  }

  @Test
  void tokensWithoutExpiryOpenStreamsOnlyWhereTheNodeAllowsThem() throws Exception {
    String neverExpires = signer.sign(new JsonObject().put("subscribe", new JsonArray().add("pets")));
    assertRefused(401, get("/subscribe/pets?access_token=" + neverExpires), true);
    Node lenient = cluster.start("--subscribe-jwt-secret", SECRET, "--jwt-allow-no-exp");
    try (SseClient stream = SseClient.open(cluster.clients(), lenient.httpPort(), "/subscribe/pets?access_token=" + neverExpires)) {
      assertEquals(202, Http.post(lenient.httpPort(), "/publish/pets", "for ever").statusCode());
      stream.awaitData("for ever", Duration.ofSeconds(20));
      assertFalse(stream.hasEnded());
    } finally {
      cluster.stop(lenient);
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

  /** A subscribe claim, valid for an hour: the node refuses tokens without exp by default. */
  private static JsonObject grants(String... namespaces) {
    return new JsonObject().put("subscribe", new JsonArray(List.of((Object[]) namespaces))).put("exp", inAnHour());
  }

  private static long inAnHour() {
    return System.currentTimeMillis() / 1000 + 3600;
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
