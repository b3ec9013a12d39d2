package ssecluster.history.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import ssecluster.history.Appended;
import ssecluster.history.NamespaceSlice;
import ssecluster.history.NewMessage;
import ssecluster.history.ReadFrom;
import ssecluster.history.StoredMessage;
import ssecluster.namespace.Namespace;
import ssecluster.testsupport.Await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The history in real Hazelcast members (two, in this JVM, on a cluster of their own): sequences, order under
 * concurrent appends from both, the tree of namespaces, bounds, repeats, and a member that dies without
 * leaving (terminate) taking nothing with it.
 */
class HazelcastHistoryTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private Vertx vertx;
  private final List<HazelcastInstance> members = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    String cluster = "history-test-" + UUID.randomUUID();
    int port = 16_000 + ThreadLocalRandom.current().nextInt(2_000) * 2;
    for (int i = 0; i < 2; i++) {
      Config config = new Config().setClusterName(cluster);
      config.setProperty("hazelcast.wait.seconds.before.join", "0");
      config.setProperty("hazelcast.logging.type", "jdk");
      config.getNetworkConfig().setPort(port).setPortAutoIncrement(true);
      config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
      config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
      config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true)
          .addMember("127.0.0.1:" + port).addMember("127.0.0.1:" + (port + 1));
      HistorySerialization.configure(config);
      members.add(Hazelcast.newHazelcastInstance(config));
    }
  }

  @AfterEach
  void stop() {
    members.forEach(member -> member.getLifecycleService().terminate());
    Await.result(vertx.close(), WAIT, "vert.x to close");
  }

  private HazelcastHistory open(HazelcastInstance member, int capacity, long ttlSeconds) {
    return Await.result(HazelcastHistory.open(vertx, member, capacity, ttlSeconds), WAIT, "history to open");
  }

  private static List<Appended> append(HazelcastHistory history, String namespace, String... data) {
    List<NewMessage> messages = new ArrayList<>();
    for (String d : data) {
      messages.add(new NewMessage(null, d, ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE)));
    }
    return Await.result(history.append(Namespace.parse(namespace), messages), WAIT, "append");
  }

  private static List<NamespaceSlice> read(HazelcastHistory history, ReadFrom from, String... subtrees) {
    return Await.result(history.read(List.of(subtrees).stream().map(Namespace::parse).toList(), from), WAIT, "read");
  }

  @Test
  void sequencesRiseAndEachMessageNamesTheOneBefore() {
    HazelcastHistory history = open(members.get(0), 100, 300);
    List<Appended> first = append(history, "seq", "a", "b");
    List<Appended> second = append(history, "seq", "c");
    assertEquals(0, first.get(0).previous());
    assertEquals(first.get(0).seq(), first.get(1).previous());
    assertEquals(first.get(1).seq(), second.get(0).previous());
    assertTrue(first.get(0).seq() < first.get(1).seq() && first.get(1).seq() < second.get(0).seq());
    NamespaceSlice slice = Await.result(history.readNamespace(Namespace.parse("seq"), first.get(0).seq()), WAIT, "read");
    assertEquals(List.of("b", "c"), slice.messages().stream().map(StoredMessage::data).toList());
  }

  @Test
  void appendsFromTwoMembersAtOnceGetOneOrderWithoutHoles() throws Exception {
    HazelcastHistory one = open(members.get(0), 10_000, 300);
    HazelcastHistory two = open(members.get(1), 10_000, 300);
    List<Future<List<Appended>>> appended = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      HazelcastHistory history = i % 2 == 0 ? one : two;
      appended.add(history.append(Namespace.parse("race"), List.of(new NewMessage(null, "m" + i, i + 1))));
    }
    List<Appended> places = new ArrayList<>();
    for (Future<List<Appended>> future : appended) {
      places.addAll(Await.result(future, WAIT, "append"));
    }
    places.sort(Comparator.comparingLong(Appended::seq));
    for (int i = 1; i < places.size(); i++) {
      assertEquals(places.get(i - 1).seq(), places.get(i).previous(), "each names the one before it");
    }
    assertEquals(200, read(one, ReadFrom.EARLIEST, "race").get(0).messages().size());
  }

  @Test
  void aSubtreeReadFindsEveryDescendantButNotLookalikes() {
    HazelcastHistory history = open(members.get(0), 100, 300);
    append(history, "zoo.cats", "c");
    append(history, "zoo.dogs.puppies", "p");
    append(history, "zoo", "z");
    append(history, "zookeeper", "not in zoo");
    List<String> found = read(history, ReadFrom.EARLIEST, "zoo").stream()
        .filter(slice -> !slice.messages().isEmpty()).map(slice -> slice.namespace().name()).sorted().toList();
    assertEquals(List.of("zoo", "zoo.cats", "zoo.dogs.puppies"), found);
    assertTrue(read(history, ReadFrom.EARLIEST, "").stream().anyMatch(s -> s.namespace().name().equals("zookeeper")),
        "the root's subtree is everything");
  }

  @Test
  void theSizeBoundDropsTheOldestAndSaysSo() {
    HazelcastHistory history = open(members.get(0), 3, 300);
    List<Appended> places = append(history, "bounded", "1", "2", "3", "4", "5");
    NamespaceSlice slice = read(history, ReadFrom.EARLIEST, "bounded").get(0);
    assertEquals(List.of("3", "4", "5"), slice.messages().stream().map(StoredMessage::data).toList());
    assertEquals(places.get(1).seq(), slice.droppedUpTo());
    assertTrue(slice.droppedAfter(places.get(0).seq()));
    assertFalse(slice.droppedAfter(places.get(1).seq()));
  }

  @Test
  void theAgeBoundDropsOldMessagesEvenWhenNobodyWrites() throws Exception {
    HazelcastHistory history = open(members.get(0), 100, 1);
    List<Appended> places = append(history, "aging", "old");
    Thread.sleep(1_200);
    NamespaceSlice slice = read(history, ReadFrom.EARLIEST, "aging").get(0);
    assertEquals(List.of(), slice.messages());
    assertTrue(slice.droppedAfter(0) && slice.droppedUpTo() == places.get(0).seq(), "what aged out is a gap");
  }

  @Test
  void aMessageHandedOverTwiceIsHeldOnceAndAnswersItsFirstPlace() {
    HazelcastHistory history = open(members.get(0), 100, 300);
    NewMessage entry = new NewMessage("e", "once", NewMessage.sourceIdOf("sse:ingest/1-0"));
    Appended first = Await.result(history.append(Namespace.parse("dup"), List.of(entry)), WAIT, "append").get(0);
    append(history, "dup", "other");
    Appended again = Await.result(history.append(Namespace.parse("dup"), List.of(entry)), WAIT, "append").get(0);
    assertTrue(again.repeated());
    assertEquals(first.seq(), again.seq());
    assertEquals(List.of("once", "other"),
        read(history, ReadFrom.EARLIEST, "dup").get(0).messages().stream().map(StoredMessage::data).toList());
  }

  @Test
  void aMemberThatDiesWithoutLeavingTakesNoHistoryWithIt() throws Exception {
    HazelcastHistory history = open(members.get(0), 100, 300);
    for (int i = 0; i < 50; i++) {
      append(history, "kept." + i, "a" + i, "b" + i);
    }
    HazelcastInstance survivor = members.get(1);
    Await.until("backups in place", WAIT, () -> survivor.getPartitionService().isClusterSafe());
    members.remove(0).getLifecycleService().terminate();
    HazelcastHistory after = open(survivor, 100, 300);
    List<NamespaceSlice> slices = read(after, ReadFrom.EARLIEST, "kept");
    long held = slices.stream().filter(s -> s.namespace().name().startsWith("kept.")).mapToLong(s -> s.messages().size()).sum();
    assertEquals(100, held, "every message of the 50 namespaces survived");
  }
}
