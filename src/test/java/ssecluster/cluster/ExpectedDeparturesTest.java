package ssecluster.cluster;

import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import ssecluster.Node;
import ssecluster.testsupport.Await;
import ssecluster.testsupport.Http;
import ssecluster.testsupport.TestCluster;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Members that leave on purpose (a light member after its publish, a node that is stopped) leave no
 * warnings in the other nodes' logs; a member that vanishes unannounced still does. That one goes last:
 * the next member would take its port, and the observer's late warnings about the vanished one (answers
 * to calls it had made) would name the newcomer's address.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExpectedDeparturesTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  /** Hazelcast's connection retries and suspicion come within a second of the member going. */
  private static final long SETTLE_MILLIS = 2_000;

  private static TestCluster cluster;
  private static Node observer;
  private final Logger hazelcastLogs = Logger.getLogger("com.hazelcast");
  private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
        warnings.add(record);
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
  static void startCluster() {
    cluster = new TestCluster();
    observer = cluster.start();
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @BeforeEach
  void captureWarnings() {
    hazelcastLogs.addHandler(capture);
  }

  @AfterEach
  void stopCapturing() {
    hazelcastLogs.removeHandler(capture);
  }

  @Test
  @Order(1)
  void aLightMemberThatLeavesAfterPublishingIsNoWarning() throws Exception {
    ClusterFactory.ClusteredVertx light = joinAndAwaitListed(true);
    String address = hazelcastAddress(light);
    String id = light.clusterManager().getNodeId();

    Await.result(light.vertx().close(), WAIT, "the light member to leave");

    awaitGone(id);
    assertEquals(List.of(), warningsAbout(address));
  }

  @Test
  @Order(2)
  void aNodeThatIsStoppedIsNoWarning() throws Exception {
    Node leaving = cluster.start();
    String id = leaving.nodeId();
    String address = hazelcastAddress(leaving);
    awaitClusterSafe();

    cluster.stop(leaving);

    awaitGone(id);
    assertEquals(List.of(), warningsAbout(address));
  }

  @Test
  @Order(3)
  void aMemberThatVanishesWithoutNoticeIsStillAWarning() throws Exception {
    // A data member that never announces: its Hazelcast stops at once, as when its process is killed.
    ClusterFactory.ClusteredVertx member = joinAndAwaitListed(false);
    String address = hazelcastAddress(member);
    String id = member.clusterManager().getNodeId();
    try {
      member.clusterManager().getHazelcastInstance().getLifecycleService().terminate();

      Await.until("the member to leave the member list", WAIT, () -> !members(observer).contains(id));
      Await.until("a warning about the vanished member", WAIT, () -> !warningsAbout(address).isEmpty());
    } finally {
      Await.result(member.vertx().close(), WAIT, "the member's Vert.x to close");
    }
  }

  /** A bare clustered Vert.x (no Node around it) that joins, once the observer lists it as a member. */
  private static ClusterFactory.ClusteredVertx joinAndAwaitListed(boolean lightMember) throws Exception {
    String what = lightMember ? "light member" : "member";
    ClusterFactory.ClusteredVertx joined = Await.result(ClusterFactory.join(cluster.settings(), lightMember), WAIT, "a " + what + " to join");
    String id = joined.clusterManager().getNodeId();
    Await.until("the " + what + " in the member list", WAIT, () -> members(observer).contains(id));
    return joined;
  }

  /**
   * As the README asks before stopping a node: a node stopped while partitions still migrate to it makes
   * Hazelcast warn that migrations failed, with reason.
   */
  private static void awaitClusterSafe() throws InterruptedException {
    Await.until("the cluster to be safe", WAIT,
        () -> new JsonObject(Http.get(observer.httpPort(), "/health").body()).getBoolean("clusterSafe", false));
  }

  /** Waits until the member is out of the observer's member list, and what Hazelcast logs then is logged. */
  private static void awaitGone(String id) throws InterruptedException {
    Await.until("the member to leave the member list", WAIT, () -> !members(observer).contains(id));
    Thread.sleep(SETTLE_MILLIS);
  }

  /** The observer's warnings about a member; ports are reused, so other members' lines may name it too. */
  private List<String> warningsAbout(String address) {
    String observerAddress = hazelcastAddress(observer);
    return warnings.stream()
        .map(record -> record.getMessage() + (record.getThrown() == null ? "" : " " + record.getThrown().getMessage()))
        .filter(text -> text.startsWith(observerAddress + " ") && text.contains(address))
        .toList();
  }

  private static String hazelcastAddress(ClusterFactory.ClusteredVertx member) {
    return member.clusterManager().getHazelcastInstance().getCluster().getLocalMember().getAddress().toString();
  }

  private static String hazelcastAddress(Node node) {
    return ((HazelcastClusterManager) ((VertxInternal) node.vertx()).clusterManager())
        .getHazelcastInstance().getCluster().getLocalMember().getAddress().toString();
  }

  private static List<String> members(Node node) {
    return new JsonObject(Http.get(node.httpPort(), "/health").body()).getJsonArray("clusterMembers")
        .stream().map(String::valueOf).toList();
  }
}
