package ssecluster.http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ssecluster.Node;
import ssecluster.testsupport.Await;
import ssecluster.testsupport.TcpTable;
import ssecluster.testsupport.TestCluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client dropped for not reading leaves nothing behind on the node: its socket is reset, not left in
 * FIN-WAIT-1 with the unsent bytes in the kernel's buffer for as long as the client keeps its end open.
 * On the default transport (io_uring where the machine has it).
 */
class SlowClientResetTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static TestCluster cluster;
  private static Node node;

  @BeforeAll
  static void start() {
    cluster = new TestCluster();
    node = cluster.start("--slow-client-millis", "1000", "--slow-client-bytes", "262144");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aDroppedSlowClientsSocketIsResetNotLeftHoldingItsBuffer() throws Exception {
    int port = node.httpPort();
    try (Socket stalled = new Socket()) {
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new InetSocketAddress("127.0.0.1", port));
      stalled.getOutputStream().write("GET /subscribe/reset HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = stalled.getInputStream();
      readUntil(in, "retry:");   // subscribed; from now on this client reads nothing, and keeps its end open
      assertEquals(TcpTable.ESTABLISHED, TcpTable.serverSideState(port, stalled.getLocalPort()));

      long droppedBefore = node.counters().slowClientsDropped.sum();
      String payload = "x".repeat(8 * 1024);
      for (int i = 0; i < 8000 && node.counters().slowClientsDropped.sum() == droppedBefore; i++) {
        node.vertx().eventBus().publish("reset", i + ":" + payload);
        if (i % 50 == 49) {
          Thread.sleep(20);
        }
      }
      Await.until("the stalled client to be dropped", WAIT, () -> node.counters().slowClientsDropped.sum() > droppedBefore);
      Await.until("the server's end of the socket to be gone (not FIN-WAIT-1 with its unsent bytes)", WAIT,
          () -> TcpTable.GONE.equals(TcpTable.serverSideState(port, stalled.getLocalPort())));

      // The client learns it from a reset, after what had reached its own buffer.
      stalled.setSoTimeout((int) WAIT.toMillis());
      byte[] sink = new byte[64 * 1024];
      SocketException reset = assertThrows(SocketException.class, () -> {
        while (in.read(sink) >= 0) {
          // what reached this client before the drop
        }
      });
      assertTrue(reset.getMessage().contains("reset"), reset.getMessage());
    }
  }

  private static void readUntil(InputStream in, String marker) throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    while (!seen.toString(StandardCharsets.UTF_8).contains(marker)) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("stream ended before '" + marker + "': " + seen);
      }
      seen.write(b);
    }
  }
}
