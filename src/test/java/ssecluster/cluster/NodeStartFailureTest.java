package ssecluster.cluster;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ssecluster.Node;
import ssecluster.testsupport.Await;
import ssecluster.testsupport.TestCluster;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node that cannot start says why and gives up, instead of waiting forever: before the fix, a taken HTTP
 * port left Node.start pending (its future was bound to an event loop that closing Vert.x had stopped),
 * so `./run.sh node` hung without a log line.
 */
class NodeStartFailureTest {

  private static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new TestCluster();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aTakenHttpPortFailsTheStartWithTheReason() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"))) {
      Throwable failure = Await.failure(Node.start(cluster.settings("--http-port", Integer.toString(taken.getLocalPort()))),
          Duration.ofSeconds(60), "a node on a taken port to start");
      assertTrue(String.valueOf(failure.getMessage()).contains("Address already in use"), String.valueOf(failure));
    }
    // The failed node closed its Vert.x and left the cluster: a node started after it works.
    Node next = cluster.start();
    assertTrue(next.httpPort() > 0);
  }
}
