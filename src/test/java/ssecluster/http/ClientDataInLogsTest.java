package ssecluster.http;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ssecluster.Node;
import ssecluster.testsupport.Await;
import ssecluster.testsupport.Http;
import ssecluster.testsupport.TestCluster;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client addresses and user agents are personal data: the admin console shows them, the logs never do. A client that
 * the node drops for being slow (the one log line about a single client) is logged by its path and namespaces only,
 * and asking for the admin data, refused or not, logs nothing about the asker or the streams listed.
 */
class ClientDataInLogsTest {

  private static final String AGENT = "privacy-test-agent/7.7";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static TestCluster cluster;
  private static Node node;
  private static final List<String> logged = new ArrayList<>();
  private static final Handler capture = new Handler() {
    private final SimpleFormatter formatter = new SimpleFormatter();

    @Override
    public void publish(LogRecord record) {
      synchronized (logged) {
        logged.add(formatter.format(record));
      }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  @BeforeAll
  static void start() {
    capture.setLevel(Level.ALL);
    Logger.getLogger("").addHandler(capture);
    cluster = new TestCluster();
    node = cluster.start("--slow-client-millis", "500", "--slow-client-bytes", "65536", "--http-instances", "1",
        "--admin-jwt-secret", "privacy-test-secret-long-enough-for-hs256");
  }

  @AfterAll
  static void stop() {
    Logger.getLogger("").removeHandler(capture);
    cluster.close();
  }

  @Test
  void aDroppedSlowClientAndTheAdminDataLeaveNoAddressOrUserAgentInTheLogs() throws Exception {
    int port = node.httpPort();
    try (Socket stalled = new Socket()) {
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new InetSocketAddress("127.0.0.1", port));
      String client = "127.0.0.1:" + stalled.getLocalPort();
      OutputStream out = stalled.getOutputStream();
      out.write(("GET /subscribe/privacy HTTP/1.1\r\nHost: localhost\r\nUser-Agent: " + AGENT + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      readUntil(stalled.getInputStream(), "retry:");

      JsonObject status = new JsonObject(Http.get(port, "/admin/status.json").body());
      JsonObject listed = status.getJsonObject("connections").getJsonArray("list").getJsonObject(0);
      assertEquals(AGENT, listed.getString("userAgent"), "the admin data shows the user agent");
      assertEquals(client, listed.getString("clientAddress"), "and the client's address");
      assertEquals(200, Http.get(port, "/admin/cluster.json").statusCode());
      String external = Http.networkAddress();
      if (external != null) {
        assertEquals(401, Http.get(external, port, "/admin/cluster.json?access_token=bad").statusCode());
      }

      // This client reads nothing: once what is queued for it passes the bound, it is dropped, and logged.
      String payload = "x".repeat(8 * 1024);
      long droppedBefore = node.counters().slowClientsDropped.sum();
      for (int i = 0; i < 5_000 && node.counters().slowClientsDropped.sum() == droppedBefore; i++) {
        assertEquals(202, Http.post(port, "/publish/privacy", payload).statusCode());
      }
      Await.until("the stalled client to be dropped", WAIT, () -> node.counters().slowClientsDropped.sum() > droppedBefore);
      Await.until("the drop to be logged", WAIT, () -> logLines().stream().anyMatch(line -> line.contains("slow client")));

      for (String line : logLines()) {
        assertTrue(!line.contains(client) && !line.contains(AGENT), "a log line names the client: " + line);
      }
    }
  }

  private static List<String> logLines() {
    synchronized (logged) {
      return List.copyOf(logged);
    }
  }

  private static void readUntil(InputStream in, String marker) throws Exception {
    StringBuilder seen = new StringBuilder();
    while (!seen.toString().contains(marker)) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("stream ended before '" + marker + "': " + seen);
      }
      seen.append((char) b);
    }
  }
}
