package ssecluster.http;

import io.vertx.core.http.HttpVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ssecluster.Node;
import ssecluster.config.Settings;
import ssecluster.testsupport.Http;
import ssecluster.testsupport.SseClient;
import ssecluster.testsupport.TestCluster;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CORS headers on the wire (SpaBrowserTest shows a real browser obeying them): one node allows one origin,
 * one allows any, one (the default) none.
 */
class CrossOriginTest {

  private static final String APP = "https://app.example";
  private static TestCluster cluster;
  private static Node oneOrigin;
  private static Node anyOrigin;
  private static Node sameOriginOnly;

  @BeforeAll
  static void start() {
    cluster = new TestCluster();
    oneOrigin = cluster.start("--cors-origins", "https://App.example, http://localhost:3000");
    anyOrigin = cluster.start("--cors-origins", "*");
    sameOriginOnly = cluster.start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void streamsCarryTheHeaderForAllowedOriginsOnly() throws Exception {
    try (SseClient fromApp = open(oneOrigin, APP);
         SseClient fromElsewhere = open(oneOrigin, "https://evil.example");
         SseClient fromAnywhere = open(anyOrigin, "https://evil.example");
         SseClient notEnabled = open(sameOriginOnly, APP)) {
      assertEquals(APP, fromApp.header("Access-Control-Allow-Origin"));
      assertEquals("Origin", fromApp.header("Vary"));
      assertEquals(null, fromElsewhere.header("Access-Control-Allow-Origin"), "the browser will refuse to read it");
      assertEquals("*", fromAnywhere.header("Access-Control-Allow-Origin"));
      assertEquals(null, notEnabled.header("Access-Control-Allow-Origin"));
      // Every one of them is a working stream all the same: CORS is the browser's rule, not an access control.
      assertEquals(202, Http.post(sameOriginOnly.httpPort(), "/publish/cors", "hello").statusCode());
      for (SseClient stream : List.of(fromApp, fromElsewhere, fromAnywhere, notEnabled)) {
        stream.awaitData("hello", Duration.ofSeconds(20));
      }
    }
  }

  @Test
  void preflightsAreAnsweredForAllowedOriginsAndRefusedOtherwise() {
    HttpResponse<String> ok = preflight(oneOrigin, "/publish/pets", "http://localhost:3000");
    assertEquals(204, ok.statusCode(), ok.body());
    assertEquals("http://localhost:3000", header(ok, "Access-Control-Allow-Origin"));
    assertEquals("GET, POST", header(ok, "Access-Control-Allow-Methods"));
    assertTrue(header(ok, "Access-Control-Allow-Headers").contains("Authorization"), ok.headers().toString());
    assertEquals("600", header(ok, "Access-Control-Max-Age"));
    assertEquals(204, preflight(anyOrigin, "/subscribe/pets", "https://anyone.example").statusCode());

    HttpResponse<String> otherOrigin = preflight(oneOrigin, "/publish/pets", "https://evil.example");
    assertEquals(403, otherOrigin.statusCode());
    assertEquals(null, header(otherOrigin, "Access-Control-Allow-Origin"));
    assertTrue(otherOrigin.body().contains("--cors-origins"), otherOrigin.body());
    HttpResponse<String> notEnabled = preflight(sameOriginOnly, "/publish/pets", APP);
    assertEquals(403, notEnabled.statusCode());
    assertTrue(notEnabled.body().contains("not enabled"), notEnabled.body());
  }

  @Test
  void publishAnswersAndErrorsAreReadableFromAllowedOrigins() {
    HttpResponse<String> published = Http.post(oneOrigin.httpPort(), "/publish/pets", "Rex", "Origin", APP);
    assertEquals(202, published.statusCode());
    assertEquals(APP, header(published, "Access-Control-Allow-Origin"));
    HttpResponse<String> rejected = Http.post(oneOrigin.httpPort(), "/publish/pe..ts", "Rex", "Origin", APP);
    assertEquals(400, rejected.statusCode());
    assertEquals(APP, header(rejected, "Access-Control-Allow-Origin"), "the page can read why it was rejected");
    assertEquals(APP, header(Http.get(oneOrigin.httpPort(), "/health", "Origin", APP), "Access-Control-Allow-Origin"));
    assertEquals(null, header(Http.post(sameOriginOnly.httpPort(), "/publish/pets", "Rex", "Origin", APP),
        "Access-Control-Allow-Origin"));
  }

  @Test
  void originsAreCheckedAtStart() {
    assertEquals(List.of("https://app.example", "http://[::1]:8080"),
        Settings.of("--cors-origins", "https://APP.example ,http://[::1]:8080").corsOrigins());
    assertEquals(List.of("*"), Settings.of("--cors-origins", "*").corsOrigins());
    assertEquals(List.of(), Settings.of().corsOrigins());
    for (String bad : List.of("app.example", "https://app.example/", "https://app.example/path", "ftp://app.example", "*,https://a.example")) {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> Settings.of("--cors-origins", bad), bad);
      assertTrue(refused.getMessage().contains("--cors-origins"), refused.getMessage());
    }
  }

  private static SseClient open(Node node, String origin) {
    return SseClient.open(cluster.clients(), node.httpPort(), "/subscribe/cors", HttpVersion.HTTP_1_1, Map.of("Origin", origin));
  }

  private static HttpResponse<String> preflight(Node node, String path, String origin) {
    return Http.options(node.httpPort(), path, "Origin", origin, "Access-Control-Request-Method", "POST",
        "Access-Control-Request-Headers", "authorization,content-type");
  }

  private static String header(HttpResponse<String> response, String name) {
    Optional<String> value = response.headers().firstValue(name);
    return value.orElse(null);
  }
}
