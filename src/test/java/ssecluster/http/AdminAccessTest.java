package ssecluster.http;

import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ssecluster.Node;
import ssecluster.testsupport.Await;
import ssecluster.testsupport.Http;
import ssecluster.testsupport.TestCluster;
import ssecluster.testsupport.Tokens;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static ssecluster.testsupport.Tokens.assertRefused;

/**
 * Who reaches the admin data: this machine always; another machine with {@code --admin-remote true}, or with a JWT
 * signed with {@code --admin-jwt-secret} whose {@code admin} claim is true (header or {@code ?access_token=}), the
 * console's stream ending when the token expires; everyone else gets a JSON 401 or 403 that says what is needed.
 * The console's page and files hold no data and are served to anyone, under the SPA's policy. "Another machine" is
 * this machine's own network address (not loopback); without one the remote checks are skipped.
 */
class AdminAccessTest {

  private static final String SECRET = "admin-test-secret-long-enough-for-hs256!";
  private static final List<String> DATA = List.of("/admin/status.json", "/admin/cluster.json", "/admin/cluster.stream");
  private static TestCluster cluster;
  private static Node guarded;
  private static Node closed;
  private static Tokens signer;

  @BeforeAll
  static void start() {
    cluster = new TestCluster();
    guarded = cluster.start("--admin-jwt-secret", SECRET);
    closed = cluster.start();
    signer = new Tokens(cluster.clients(), SECRET);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void otherMachinesNeedATokenWhoseAdminClaimIsTrue() throws Exception {
    String external = externalAddress();
    String admin = signer.sign(expiringIn(3600).put("admin", true));
    String notAdmin = signer.sign(expiringIn(3600).put("admin", false));
    String subscriber = signer.sign(expiringIn(3600).put("subscribe", new JsonArray().add("")));
    String expired = signer.sign(expiringIn(-60).put("admin", true));
    String neverExpiring = signer.sign(new JsonObject().put("admin", true));
    String forged = new Tokens(cluster.clients(), SECRET + "-another").sign(expiringIn(3600).put("admin", true));
    int port = guarded.httpPort();
    for (String path : DATA) {
      HttpResponse<String> missing = Http.get(external, port, path);
      assertRefused(401, missing, true);
      assertEquals(AdminAccess.MISSING_TOKEN, new JsonObject(missing.body()).getString("error"));
      assertRefused(401, Http.get(external, port, path, "Authorization", "Bearer " + forged), true);
      assertRefused(401, Http.get(external, port, path + "?access_token=" + expired), true);
      assertRefused(401, Http.get(external, port, path + "?access_token=" + neverExpiring), true);
      assertRefused(403, Http.get(external, port, path, "Authorization", "Bearer " + notAdmin), false);
      assertRefused(403, Http.get(external, port, path + "?access_token=" + subscriber), false);
      // This machine needs no token; a node without a secret refuses other machines and says how to open it.
      assertEquals(200, Http.get(port, path.endsWith(".json") ? path : "/admin/cluster.json").statusCode());
      HttpResponse<String> refused = Http.get(external, closed.httpPort(), path, "Authorization", "Bearer " + admin);
      assertRefused(403, refused, false);
      assertEquals(AdminAccess.NO_REMOTE, new JsonObject(refused.body()).getString("error"));
    }
    HttpResponse<String> status = Http.get(external, port, "/admin/status.json", "Authorization", "Bearer " + admin);
    assertEquals(200, status.statusCode(), status.body());
    assertEquals(guarded.nodeId(), new JsonObject(status.body()).getString("nodeId"));
    HttpResponse<String> all = Http.get(external, port, "/admin/cluster.json?access_token=" + admin);
    assertEquals(200, all.statusCode(), all.body());
    assertEquals(2, new JsonObject(all.body()).getJsonArray("nodes").size());
  }

  @Test
  void theConsolesStreamEndsWhenItsTokenExpires() throws Exception {
    String external = externalAddress();
    long expSeconds = System.currentTimeMillis() / 1000 + 3;
    String shortLived = signer.sign(new JsonObject().put("admin", true).put("exp", expSeconds));
    HttpClient client = cluster.clients().createHttpClient();
    try {
      StringBuilder received = new StringBuilder();
      Promise<Void> ended = Promise.promise();
      HttpClientResponse response = Await.result(client.request(new RequestOptions().setMethod(HttpMethod.GET)
              .setHost(external).setPort(guarded.httpPort()).setURI("/admin/cluster.stream?access_token=" + shortLived))
          .compose(request -> request.send())
          .onSuccess(answer -> {
            answer.handler(chunk -> {
              synchronized (received) {
                received.append(chunk.toString());
              }
            });
            answer.end().onComplete(ended);
          }), Duration.ofSeconds(20), "the console's stream to open");
      assertEquals(200, response.statusCode());
      assertEquals("text/event-stream", response.getHeader("Content-Type"));
      Await.result(ended.future(), Duration.ofSeconds(30), "the stream to end when its token expires");
      assertTrue(System.currentTimeMillis() >= expSeconds * 1000 - 50, "it ended at the token's exp, not before");
      synchronized (received) {
        assertTrue(received.toString().startsWith("retry: "), received.toString());
        assertTrue(received.toString().contains("event: cluster\ndata: {"), "cluster events came meanwhile");
      }
    } finally {
      client.close();
    }
  }

  @Test
  void thePageAndItsFilesAreServedToAnyoneUnderTheConsolesPolicy() throws Exception {
    String external = externalAddress();
    int port = guarded.httpPort();
    HttpResponse<String> page = Http.get(external, port, "/admin/");
    assertEquals(200, page.statusCode());
    assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    assertEquals(IndexHandler.CONTENT_SECURITY_POLICY, page.headers().firstValue("Content-Security-Policy").orElse(""));
    assertTrue(page.body().contains("/admin/js/main.js"), "the page loads its module");
    HttpResponse<String> bare = Http.get(external, port, "/admin?ns=pets");
    assertEquals(301, bare.statusCode());
    assertEquals("/admin/?ns=pets", bare.headers().firstValue("Location").orElse(""));
    HttpResponse<String> module = Http.get(external, port, "/admin/js/main.js");
    assertEquals(200, module.statusCode());
    assertTrue(module.headers().firstValue("Content-Type").orElse("").contains("javascript"));
    HttpResponse<String> missing = Http.get(external, port, "/admin/js/nothing.js");
    assertEquals(404, missing.statusCode());
    assertEquals(404, new JsonObject(missing.body()).getInteger("status"));
  }

  /** Claims with an {@code exp} this many seconds from now (a node refuses tokens without one by default). */
  static JsonObject expiringIn(long seconds) {
    return new JsonObject().put("exp", System.currentTimeMillis() / 1000 + seconds);
  }

  /** This machine's address on a network interface, as another machine would reach it; skips the test without one. */
  static String externalAddress() {
    String address = Http.networkAddress();
    Assumptions.assumeTrue(address != null, "this machine has no address but loopback: no other machine to test with");
    return address;
  }
}
