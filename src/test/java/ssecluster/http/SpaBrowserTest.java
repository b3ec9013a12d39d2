package ssecluster.http;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import ssecluster.Node;
import ssecluster.testsupport.Browser;
import ssecluster.testsupport.Http;
import ssecluster.testsupport.TestCluster;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SPA in a real browser (the system's headless Chromium, see {@link Browser}: skipped without one, except on
 * CI). The page is opened on node A over HTTPS (h2), messages are published on node B, and the test reads what a
 * person would see. Screenshots go to {@code target/spa-screenshot.png} (desktop) and
 * {@code target/spa-screenshot-phone.png}.
 */
class SpaBrowserTest {

  private static TestCluster cluster;
  private static Node nodeA;
  private static Node nodeB;
  private static Browser chromium;
  private static WebDriver browser;

  /** Called first by each test, so a missing browser shows as a skipped test (or a failure on CI). */
  private static void startClusterAndBrowser() throws IOException {
    Browser.requireChromium();
    if (browser != null) {
      return;
    }
    cluster = new TestCluster();
    nodeA = cluster.start("--https-port", "0", "--node-name", "spa-node-a");
    nodeB = cluster.start("--node-name", "spa-node-b");
    chromium = Browser.start();
    browser = chromium.driver();
  }

  @AfterAll
  static void stopAll() throws IOException {
    if (chromium != null) {
      chromium.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void messagesPublishedOnAnotherNodeAppearLiveAndRemovingANamespaceStopsIt() throws IOException {
    startClusterAndBrowser();
    String token = UUID.randomUUID().toString().substring(0, 8);
    browser.get("https://localhost:" + nodeA.httpsPort() + "/?ns=pets");

    waitFor("the pets stream to be live", d -> "live".equals(panel("pets").getAttribute("data-state")));
    waitFor("the node badge to name node A", d -> "spa-node-a".equals(text("#node-name")));
    assertEquals("Live · 1 stream", text("#conn-text"));
    assertEquals("h2", script("return performance.getEntriesByType('navigation')[0].nextHopProtocol"),
        "the browser got the page over HTTP/2 (TLS, ALPN)");
    assertEquals(1, openStreams(nodeA), "node A holds the page's one stream");

    // Published on node B, into a descendant of pets, as a named event the page knows from the demo.
    publishOnB("/publish/pets/dogs?event=new-dog", "Corgi " + token);
    WebElement corgi = waitForMessage("pets", "Corgi " + token);
    assertEquals("new-dog", corgi.findElement(By.cssSelector(".event")).getText());
    assertFalse(corgi.findElement(By.cssSelector(".msg-id")).getText().isBlank(), "the message id is shown");
    assertTrue(corgi.findElement(By.cssSelector("time")).getText().matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3}"),
        "the arrival time is shown");

    // Data is text, never markup.
    String markup = "<img src=x onerror=\"document.title='owned'\"> " + token;
    publishOnB("/publish/pets", markup);
    WebElement unnamed = waitForMessage("pets", markup);
    assertEquals("message", unnamed.findElement(By.cssSelector(".event")).getText());
    assertEquals(0, browser.findElements(By.cssSelector(".messages img")).size(), "no element made from message data");

    // A person adds a namespace: the URL follows and a second stream opens.
    browser.findElement(By.id("ns-input")).sendKeys("updates");
    browser.findElement(By.id("ns-add")).click();
    waitFor("the updates stream to be live", d -> "live".equals(panel("updates").getAttribute("data-state")));
    assertEquals("pets,updates", nsInAddressBar(), browser.getCurrentUrl());
    waitFor("node A to hold two streams", d -> openStreams(nodeA) == 2);

    // The publish form, with an event name the page has not seen: it listens for it before sending.
    type("pub-ns", "updates");
    type("pub-event", "deploy");
    type("pub-data", "v2.4.1 rolled out to eu-west " + token);
    browser.findElement(By.id("pub-send")).click();
    waitFor("the publish answer", d -> text("#pub-result").startsWith("Published · id "));
    assertEquals("deploy", waitForMessage("updates", "v2.4.1 rolled out to eu-west " + token)
        .findElement(By.cssSelector(".event")).getText());

    // An error is shown as such.
    type("pub-ns", "no..such");
    browser.findElement(By.id("pub-send")).click();
    waitFor("the publish error", d -> "false".equals(browser.findElement(By.id("pub-result")).getAttribute("data-ok")));

    for (String pet : List.of("Beagle", "Husky", "Dachshund")) {
      publishOnB("/publish/pets/dogs?event=new-dog", pet);
    }
    publishOnB("/publish/pets/cats?event=new-cat", "Maine Coon");
    waitForMessage("pets", "Maine Coon");
    type("pub-ns", "updates");
    screenshot("spa-screenshot.png");

    // Removing pets closes its EventSource and its card; the URL follows.
    browser.findElement(By.cssSelector("[data-remove='pets']")).click();
    waitFor("the pets card to go", d -> d.findElements(By.cssSelector(".panel[data-ns='pets']")).isEmpty());
    assertEquals("updates", nsInAddressBar(), browser.getCurrentUrl());
    assertTrue(browser.getCurrentUrl().contains("?ns=updates"), "commas and names stay readable: " + browser.getCurrentUrl());
    waitFor("node A to see the pets stream closed", d -> openStreams(nodeA) == 1);

    // pets is no longer shown: publish to it, then to updates; once the second arrives, the first did not.
    publishOnB("/publish/pets", "after removal " + token);
    publishOnB("/publish/updates", "sentinel " + token);
    waitForMessage("updates", "sentinel " + token);
    assertFalse(browser.findElement(By.tagName("body")).getText().contains("after removal " + token),
        "a removed namespace shows no more messages");

    // A phone: one column, nothing wider than the screen.
    browser.manage().window().setSize(new Dimension(390, 844));
    waitFor("the phone layout", d -> (Boolean) script("return document.documentElement.scrollWidth <= window.innerWidth"));
    screenshot("spa-screenshot-phone.png");

    // A burst: every message is counted, the newest is on top, and the card keeps a bounded list.
    for (int i = 1; i <= 300; i++) {
      publishOnB("/publish/updates", "burst " + i);
    }
    waitFor("all 302 messages counted", d -> "302 messages".equals(panel("updates").findElement(By.cssSelector(".count")).getText()));
    List<WebElement> shown = panel("updates").findElements(By.cssSelector(".msg"));
    assertEquals(200, shown.size(), "the card keeps the newest 200");
    assertEquals("burst 300", shown.get(0).findElement(By.cssSelector(".msg-data")).getText(), "newest first");

    // The node serving the page goes away: the page says so instead of pretending to be live.
    cluster.stop(nodeA);
    waitFor("the card to leave the live state", d -> !"live".equals(panel("updates").getAttribute("data-state")));
    String state = panel("updates").getAttribute("data-state");
    assertTrue(state.equals("reconnecting") || state.equals("failed"), "state shown: " + state);
    waitFor("the header to leave the live state", d -> !"live".equals(browser.findElement(By.id("conn")).getAttribute("data-state")));
  }

  /**
   * A page on one origin using another origin's streams and publish endpoint, as the browser enforces CORS:
   * a node started with --cors-origins naming the page's origin serves it, one without refuses it.
   */
  @Test
  void aPageOnAnotherOriginSubscribesAndPublishesOnlyWhereItsOriginIsAllowed() throws IOException {
    startClusterAndBrowser();
    String pageOrigin = "http://127.0.0.1:" + nodeA.httpPort();
    Node allowing = cluster.start("--node-name", "spa-node-cors", "--cors-origins", pageOrigin);
    String allowed = "http://127.0.0.1:" + allowing.httpPort();
    String refusing = "http://127.0.0.1:" + nodeB.httpPort();
    // Any document of that origin but the console, whose Content-Security-Policy keeps it to its own node.
    browser.get(pageOrigin + "/health");
    script("window.cors = {received: []};"
        + "const watch = (name, url) => { const es = new EventSource(url);"
        + "  es.onopen = () => window.cors[name] = 'open';"
        + "  es.onmessage = (e) => window.cors.received.push(name + ':' + e.data);"
        + "  es.onerror = () => window.cors[name] = es.readyState === EventSource.CLOSED ? 'failed' : 'retrying'; };"
        + "watch('allowed', '" + allowed + "/subscribe/cors');"
        + "watch('refused', '" + refusing + "/subscribe/cors');");
    waitForCors("the stream of the allowing node to open", d -> "open".equals(script("return window.cors.allowed")));
    waitForCors("the browser to give up the stream of the other node",
        d -> "failed".equals(script("return window.cors.refused")));

    // A bearer header makes the browser send a preflight first; text/plain alone would not.
    script("const post = (name, url) => fetch(url + '/publish/cors', {method: 'POST', body: 'sent by ' + name,"
        + "  headers: {'Authorization': 'Bearer not-checked-here', 'Content-Type': 'text/plain'}})"
        + "  .then(r => window.cors[name + 'Publish'] = r.status, () => window.cors[name + 'Publish'] = 'blocked');"
        + "post('allowed', '" + allowed + "'); post('refused', '" + refusing + "');");
    waitForCors("the cross-origin publish to be answered", d -> script("return window.cors.allowedPublish") != null);
    assertEquals(202L, script("return window.cors.allowedPublish"));
    waitForCors("the other node's publish to be blocked", d -> "blocked".equals(script("return window.cors.refusedPublish")));
    waitForCors("the published message on the cross-origin stream",
        d -> ((List<?>) script("return window.cors.received")).contains("allowed:sent by allowed"));
    assertEquals(List.of("allowed:sent by allowed"), script("return window.cors.received"),
        "the refused publish never reached the stream (its preflight failed, so the POST was never sent)");
  }

  /**
   * The node serving the page is restarted (a deploy): Chromium's EventSource reconnects by itself, sends the
   * id it saw last, and the page gets what was published meanwhile, marked as replayed, then live messages;
   * each message once.
   */
  @Test
  void aStreamTheServerEndsResumesWithoutLossInTheBrowser() throws IOException, InterruptedException {
    startClusterAndBrowser();
    int port = TestCluster.freePort();
    Node serving = cluster.start("--node-name", "spa-node-deploy", "--http-port", String.valueOf(port), "--retry-millis", "500");
    browser.get("http://127.0.0.1:" + port + "/?ns=deploy");
    waitFor("the deploy stream to be live", d -> "live".equals(panel("deploy").getAttribute("data-state")));
    for (int i = 1; i <= 3; i++) {
      publishOnB("/publish/deploy", "r" + i);
    }
    waitForMessage("deploy", "r3");

    cluster.stop(serving);
    waitFor("the card to leave the live state", d -> !"live".equals(panel("deploy").getAttribute("data-state")));
    for (int i = 4; i <= 6; i++) {
      publishOnB("/publish/deploy", "r" + i);
    }
    cluster.start("--node-name", "spa-node-deploy", "--http-port", String.valueOf(port));
    waitForMessage("deploy", "r6");
    waitFor("the deploy stream to be live again", d -> "live".equals(panel("deploy").getAttribute("data-state")));
    publishOnB("/publish/deploy", "r7");
    waitForMessage("deploy", "r7");
    screenshot("spa-screenshot-resumed.png");

    List<WebElement> shown = panel("deploy").findElements(By.cssSelector(".msg"));
    List<String> data = shown.stream().map(m -> m.findElement(By.cssSelector(".msg-data")).getText()).toList();
    assertEquals(List.of("r7", "r6", "r5", "r4", "r3", "r2", "r1"), data, "each message once, newest first");
    List<String> replayed = shown.stream().filter(m -> m.getAttribute("class").contains("msg-replayed"))
        .map(m -> m.findElement(By.cssSelector(".msg-data")).getText()).toList();
    assertEquals(List.of("r6", "r5", "r4"), replayed, "what was missed is marked as replayed, nothing else");
    assertEquals("7 messages", panel("deploy").findElement(By.cssSelector(".count")).getText());
  }

  // ---- helpers -----------------------------------------------------------------------------------------

  /** {@link #waitFor} that shows what the page's cross-origin probes saw when it times out. */
  private static void waitForCors(String what, Function<WebDriver, Boolean> condition) {
    try {
      waitFor(what, condition);
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("timed out waiting for " + what + "; the page saw " + script("return JSON.stringify(window.cors)"), e);
    }
  }

  private static WebElement panel(String namespace) {
    return browser.findElement(By.cssSelector(".panel[data-ns='" + namespace + "']"));
  }

  private static String text(String css) {
    return browser.findElement(By.cssSelector(css)).getText();
  }

  private static void type(String id, String value) {
    WebElement field = browser.findElement(By.id(id));
    field.clear();
    field.sendKeys(value);
  }

  private static String nsInAddressBar() {
    return (String) script("return new URLSearchParams(location.search).get('ns')");
  }

  private static Object script(String js) {
    return chromium.script(js);
  }

  /** Waits until the namespace's card shows a message with exactly this data, and returns it. */
  private static WebElement waitForMessage(String namespace, String data) {
    return waitFor("'" + data + "' in the " + namespace + " card", d -> panel(namespace)
        .findElements(By.cssSelector(".msg")).stream()
        .filter(message -> message.findElement(By.cssSelector(".msg-data")).getText().equals(data))
        .findFirst().orElse(null));
  }

  private static <T> T waitFor(String what, Function<WebDriver, T> condition) {
    return chromium.waitFor(what, condition);
  }

  private static void publishOnB(String pathAndQuery, String data) {
    HttpResponse<String> answer = Http.post(nodeB.httpPort(), pathAndQuery, data);
    assertEquals(202, answer.statusCode(), "publish on node B: " + answer.body());
  }

  /** SSE streams node A holds open, as its /health reports. */
  private static long openStreams(Node node) {
    return new JsonObject(Http.get(node.httpPort(), "/health").body()).getLong("connections");
  }

  private static void screenshot(String name) throws IOException {
    chromium.screenshot(name);
  }
}
