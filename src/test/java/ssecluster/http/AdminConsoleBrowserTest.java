package ssecluster.http;

import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.JavascriptExecutor;
import ssecluster.Node;
import ssecluster.testsupport.Browser;
import ssecluster.testsupport.Http;
import ssecluster.testsupport.SseClient;
import ssecluster.testsupport.TestCluster;
import ssecluster.testsupport.Tokens;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin console in a real browser ({@link Browser}: skipped without Chromium, except on CI), on a cluster of
 * three nodes with streams on each and messages flowing: a card per node, charts that move, the busiest namespaces,
 * the streams table with its filter and sort; a node that leaves; and, from another machine, the page saying what
 * it needs and taking a token. The screenshot goes to {@code target/admin-console.png}.
 */
class AdminConsoleBrowserTest {

  private static final String SECRET = "console-test-secret-long-enough-for-hs256";
  private static TestCluster cluster;
  private static Browser chromium;
  private static WebDriver browser;

  private static void startBrowser() throws IOException {
    Browser.requireChromium();
    if (chromium == null) {
      cluster = new TestCluster();
      chromium = Browser.start();
      browser = chromium.driver();
    }
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
  void showsEveryNodeAndChartsThatMoveWhileMessagesFlow() throws Exception {
    startBrowser();
    Node a = cluster.start("--node-name", "console-a");
    Node b = cluster.start("--node-name", "console-b");
    Node c = cluster.start("--node-name", "console-c");
    AtomicBoolean publishing = new AtomicBoolean(true);
    Thread publisher = new Thread(() -> {
      while (publishing.get()) {
        Http.post(b.httpPort(), "/publish/load/fast?event=tick", "tick");
        try {
          Thread.sleep(40);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "console-test-publisher");
    try (SseClient onA = SseClient.open(cluster.clients(), a.httpPort(), "/subscribe/load", HttpVersion.HTTP_1_1,
             Map.of("User-Agent", "agent-on-a"));
         SseClient onB = SseClient.open(cluster.clients(), b.httpPort(), "/subscribe/load", HttpVersion.HTTP_1_1,
             Map.of("User-Agent", "agent-on-b"));
         SseClient onC = SseClient.open(cluster.clients(), c.httpPort(), "/subscribe?ns=load,time", HttpVersion.HTTP_2,
             Map.of("User-Agent", "agent-on-c"))) {
      publisher.start();
      browser.get("http://127.0.0.1:" + a.httpPort() + "/admin/");
      // The page redraws every second: each check reads the page in one script, and is retried until it holds.
      chromium.waitFor("a card per node, each up", d -> Map.of("console-a", "up", "console-b", "up", "console-c", "up")
          .equals(cardStates()));
      for (String name : List.of("console-a", "console-b", "console-c")) {
        chromium.waitFor("one connection on " + name, d -> "1".equals(figure(name, "connections", "value")));
      }
      chromium.waitFor("the h2 stream on console-c", d -> figure("console-c", "connections", "detail").contains("h2 1"));
      assertEquals("Live", text("#conn-text"));

      // The charts move while messages flow: the cluster's line changes from one second to the next.
      chromium.waitFor("messages published per second on the chart", d -> latest("published") > 0);
      chromium.waitFor("messages delivered per second on the chart", d -> latest("delivered") > 0);
      String before = line("published");
      chromium.waitFor("the published chart to move", d -> !line("published").equals(before));
      assertEquals(3.0, latest("connections"));
      chromium.waitFor("the cluster's rate in the totals", d -> !List.of("…", "–", "0").contains(text("[data-total='published']")));
      chromium.waitFor("the rate in on console-b's card", d -> !List.of("…", "0").contains(figure("console-b", "in", "value")));

      // The busiest namespace, with its subscribers on each node and in all.
      chromium.waitFor("the load namespace: a stream on each node", d -> List.of(List.of("load", "3", "1", "1", "1"))
          .equals(rows("#busiest tr[data-ns='load']")));

      // The streams: each node's, then filtered by a user agent, then sorted by messages sent.
      chromium.waitFor("three streams in the table", d -> rows("#streams tbody tr").size() == 3);
      browser.findElement(By.id("streams-filter")).sendKeys("agent-on-c");
      List<String> row = chromium.waitFor("one stream matching the filter", d -> {
        List<List<String>> rows = rows("#streams tbody tr");
        return rows.size() == 1 ? rows.get(0) : null;
      });
      assertEquals("console-c", row.get(0));
      assertEquals("load, time", row.get(2));
      assertTrue(row.get(3).startsWith("127.0.0.1:"), row.toString());
      assertEquals(List.of("agent-on-c", "h2"), row.subList(4, 6));
      browser.findElement(By.id("streams-filter")).clear();
      chromium.waitFor("the sort header", d -> {
        d.findElement(By.cssSelector("#streams th[data-key='messagesSent']")).click();
        return true;
      });
      chromium.waitFor("the table sorted by messages sent", d -> "descending".equals(
          script("return document.querySelector(\"#streams th[data-key='messagesSent']\").getAttribute('aria-sort')")));
      browser.findElement(By.id("streams-filter")).sendKeys("agent-on");
      chromium.waitFor("all three streams again", d -> rows("#streams tbody tr").size() == 3);

      browser.manage().window().setSize(new Dimension(1400, 1700));
      Thread.sleep(1500);
      chromium.screenshot("admin-console.png");
      browser.manage().window().setSize(new Dimension(1400, 1000));

      // A node that leaves: first leaving or unreachable, then gone from the cluster, and its card says so.
      cluster.stop(c);
      chromium.waitFor("the card of console-c to show it gone", d -> Map.of("console-a", "up", "console-b", "up",
          "console-c", "gone").equals(cardStates()));
    } finally {
      publishing.set(false);
      publisher.join();
    }
  }

  @Test
  void fromAnotherMachineThePageSaysWhatItNeedsAndTakesAToken() throws Exception {
    startBrowser();
    String external = AdminAccessTest.externalAddress();
    Node guarded = cluster.start("--node-name", "console-guarded", "--admin-jwt-secret", SECRET);
    try {
      browser.get("http://" + external + ":" + guarded.httpPort() + "/admin/");
      chromium.waitFor("the page to say access is needed", d -> d.findElement(By.id("access")).isDisplayed());
      assertTrue(text("#access-error").startsWith("401: "), text("#access-error"));
      assertTrue(text("#access-help").contains("--admin-jwt-secret"), text("#access-help"));
      assertEquals("Access needed", text("#conn-text"));

      String notAdmin = new Tokens(cluster.clients(), SECRET).sign(AdminAccessTest.expiringIn(3600).put("admin", false));
      browser.findElement(By.id("access-token")).sendKeys(notAdmin);
      browser.findElement(By.cssSelector("#access-form button")).click();
      chromium.waitFor("the page to say the token is not enough", d -> text("#access-error").startsWith("403: "));

      String admin = new Tokens(cluster.clients(), SECRET).sign(AdminAccessTest.expiringIn(3600).put("admin", true));
      browser.findElement(By.id("access-token")).sendKeys(admin);
      browser.findElement(By.cssSelector("#access-form button")).click();
      chromium.waitFor("the console to go live with the token", d -> "Live".equals(text("#conn-text")));
      chromium.waitFor("the card of the guarded node", d -> "up".equals(cardStates().get("console-guarded")));
      assertFalse(browser.findElement(By.id("access")).isDisplayed());

      // A token in the address is taken in and kept out of the address bar.
      browser.get("http://" + external + ":" + guarded.httpPort() + "/admin/?ns=load&access_token=" + admin);
      chromium.waitFor("the console to go live", d -> "Live".equals(text("#conn-text")));
      assertFalse(browser.getCurrentUrl().contains("access_token"), browser.getCurrentUrl());
      assertTrue(browser.getCurrentUrl().contains("ns=load"), browser.getCurrentUrl());
    } finally {
      cluster.stop(guarded);
    }
  }

  /** Each node card's name and state, read at once. */
  @SuppressWarnings("unchecked")
  private static Map<String, String> cardStates() {
    return (Map<String, String>) script("const states = {};"
        + "document.querySelectorAll('.node-card').forEach(card =>"
        + "  states[card.querySelector('.node-title').textContent] = card.dataset.state);"
        + "return states;");
  }

  /** A figure of a node's card: its value or its detail; empty when there is none. */
  private static String figure(String node, String figure, String part) {
    return (String) script("const card = [...document.querySelectorAll('.node-card')]"
        + "  .find(card => card.querySelector('.node-title').textContent === arguments[0]);"
        + "const cell = card && card.querySelector(`[data-figure='${arguments[1]}'] .${arguments[2]}`);"
        + "return cell ? cell.textContent : '';", node, figure, part);
  }

  /** The cells of the rows a selector finds, read at once; the row that says there is nothing is left out. */
  @SuppressWarnings("unchecked")
  private static List<List<String>> rows(String css) {
    return (List<List<String>>) script("return [...document.querySelectorAll(arguments[0])]"
        + "  .filter(row => !row.querySelector('.empty-row'))"
        + "  .map(row => [...row.querySelectorAll('th, td')].map(cell => cell.textContent));", css);
  }

  private static Object script(String js, Object... arguments) {
    return ((JavascriptExecutor) browser).executeScript(js, arguments);
  }

  private static String text(String css) {
    return (String) script("const node = document.querySelector(arguments[0]); return node ? node.textContent : '';", css);
  }

  /** The newest cluster-wide value a chart shows (its data-latest), 0 before it has one. */
  private static double latest(String chart) {
    String value = (String) script("return document.querySelector(`[data-chart='${arguments[0]}']`).dataset.latest;", chart);
    return value == null || value.isEmpty() ? 0 : Double.parseDouble(value);
  }

  /** The path of the cluster's line on a chart. */
  private static String line(String chart) {
    return (String) script("return document.querySelector(`[data-chart='${arguments[0]}'] .line-total`).getAttribute('d');", chart);
  }
}
