package ssecluster.fanout;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ssecluster.Node;
import ssecluster.testsupport.SseClient;
import ssecluster.testsupport.SseParser.Event;
import ssecluster.testsupport.TestCluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --write-delay-millis}: the first events after a quiet spell leave at once, and so does one that
 * comes later after the previous event than the delay has left to run; once a namespace's pace is known
 * to be fast, its events leave together when the delay has passed, one socket write per stream, in order
 * and once. Each namespace is judged on its own pace, so a busy one does not hold a quiet one back; a
 * large batch does not wait; a node that stops writes what it holds first. The delay here is far longer
 * than anyone would configure, so which path delivered an event is never a matter of timing. Tests that
 * need events held first deliver {@link #PRIMES} "prime" events per namespace, which make its pace fast
 * and whose writes start its delay. (The decision itself, on a synthetic clock: WritePacingTest.)
 */
class WriteDelayTest {

  private static final long DELAY_MILLIS = 6000;
  /** Events of a namespace that leave at once after a quiet spell, before its pace counts as fast. */
  private static final int PRIMES = 5;
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static TestCluster cluster;
  private static Node publisherNode;
  private static Node delayingNode;
  private static Vertx clients;

  @BeforeAll
  static void startCluster() {
    cluster = new TestCluster();
    publisherNode = cluster.start();
    delayingNode = cluster.start("--write-delay-millis", Long.toString(DELAY_MILLIS));
    clients = cluster.clients();
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @Test
  void eventsWithinTheDelayLeaveInOneWritePerStreamInOrderAndOnce() throws Exception {
    try (SseClient dogs = SseClient.open(clients, delayingNode.httpPort(), "/subscribe/delay/dogs");
         SseClient both = SseClient.open(clients, delayingNode.httpPort(), "/subscribe?ns=delay.dogs,delay.cats")) {
      prime(List.of(dogs, both), "delay.dogs");
      prime(List.of(both), "delay.cats");
      long writesBefore = delayingNode.counters().streamWrites.sum();
      List<String> dogEvents = new ArrayList<>();
      List<String> catEvents = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        dogEvents.add("dog-" + i);
        catEvents.add("cat-" + i);
        publisherNode.vertx().eventBus().publish("delay.dogs", "dog-" + i);
        publisherNode.vertx().eventBus().publish("delay.cats", "cat-" + i);
      }

      assertEquals(dogEvents, data(dogs.awaitEvents(PRIMES + 50, WAIT)).subList(PRIMES, PRIMES + 50));
      List<String> multiplexed = data(both.awaitEvents(2 * PRIMES + 100, WAIT)).subList(2 * PRIMES, 2 * PRIMES + 100);
      assertEquals(dogEvents, multiplexed.stream().filter(d -> d.startsWith("dog")).toList(), "dogs in order, once");
      assertEquals(catEvents, multiplexed.stream().filter(d -> d.startsWith("cat")).toList(), "cats in order, once");
      Thread.sleep(300);
      assertEquals(PRIMES + 50, dogs.events().size(), "nothing twice");
      assertEquals(2 * PRIMES + 100, both.events().size(), "nothing twice");

      // 150 deliveries: one write for the dogs stream, one per namespace for the multiplexed one.
      long writes = delayingNode.counters().streamWrites.sum() - writesBefore;
      assertEquals(3, writes, "socket writes for 150 deliveries");
    }
  }

  @Test
  void aBatchPastTheByteBoundIsWrittenWithoutWaitingForTheDelay() throws Exception {
    try (SseClient stream = SseClient.open(clients, delayingNode.httpPort(), "/subscribe/delay/big")) {
      prime(List.of(stream), "delay.big");
      String big = "x".repeat(LoopFanout.MAX_PENDING_BYTES / 2 + 1);
      long start = System.nanoTime();
      publisherNode.vertx().eventBus().publish("delay.big", "a" + big);
      publisherNode.vertx().eventBus().publish("delay.big", "b" + big);

      List<Event> events = stream.awaitEvents(PRIMES + 2, WAIT);
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertEquals(List.of("a" + big, "b" + big), data(events).subList(PRIMES, PRIMES + 2));
      assertTrue(millis < DELAY_MILLIS / 2, "arrived after " + millis + " ms: it waited for the " + DELAY_MILLIS + " ms delay");
    }
  }

  @Test
  void aStoppingNodeWritesTheEventsItHoldsBeforeEndingItsStreams() throws Exception {
    Node stopping = cluster.start("--write-delay-millis", Long.toString(DELAY_MILLIS));
    try (SseClient stream = SseClient.open(clients, stopping.httpPort(), "/subscribe/delay/stop")) {
      prime(List.of(stream), "delay.stop");
      for (int i = 0; i < 3; i++) {
        publisherNode.vertx().eventBus().publish("delay.stop", "held-" + i);
      }
      // Long enough for the events to reach the node, far shorter than the delay: they are held there.
      Thread.sleep(1000);
      assertEquals(PRIMES, stream.events().size(), "held for the delay");
      long start = System.nanoTime();
      cluster.stop(stopping);

      stream.awaitEnd(WAIT);
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertEquals(List.of("held-0", "held-1", "held-2"), data(stream.events()).subList(PRIMES, PRIMES + 3));
      assertTrue(millis < DELAY_MILLIS, "the stop took " + millis + " ms: it waited for the delay");
    }
  }

  @Test
  void aBurstAfterAQuietSpellLeavesAtOnceUntilItsPaceIsKnown() throws Exception {
    Node quiet = cluster.start("--write-delay-millis", Long.toString(DELAY_MILLIS));
    try (SseClient stream = SseClient.open(clients, quiet.httpPort(), "/subscribe/delay/quiet")) {
      for (int i = 0; i < PRIMES; i++) {
        long start = System.nanoTime();
        publisherNode.vertx().eventBus().publish("delay.quiet", "burst-" + i);
        stream.awaitEvents(i + 1, WAIT);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < DELAY_MILLIS / 2, "burst-" + i + " took " + millis + " ms: it waited for the delay");
      }

      long next = System.nanoTime();
      publisherNode.vertx().eventBus().publish("delay.quiet", "burst-" + PRIMES);
      Thread.sleep(1000);
      assertEquals(PRIMES, stream.events().size(), "the burst's pace is known now: its next event is held");
      assertEquals("burst-" + PRIMES, data(stream.awaitEvents(PRIMES + 1, WAIT)).get(PRIMES));
      long nextMillis = (System.nanoTime() - next) / 1_000_000;
      assertTrue(nextMillis >= DELAY_MILLIS / 2, "the held event came after " + nextMillis + " ms");
    } finally {
      cluster.stop(quiet);
    }
  }

  @Test
  void anEventThatComesSlowerThanTheDelayLeftIsNotHeld() throws Exception {
    Node paced = cluster.start("--write-delay-millis", Long.toString(DELAY_MILLIS));
    try (SseClient stream = SseClient.open(clients, paced.httpPort(), "/subscribe/delay/paced")) {
      publisherNode.vertx().eventBus().publish("delay.paced", "first");
      stream.awaitEvents(1, WAIT);
      // 60% of the delay later, 40% of it is left: less than the gap, so no further event is expected
      // before it ends, and holding this one would only make it late.
      Thread.sleep(DELAY_MILLIS * 3 / 5);
      long start = System.nanoTime();
      publisherNode.vertx().eventBus().publish("delay.paced", "second");
      assertEquals(List.of("first", "second"), data(stream.awaitEvents(2, WAIT)));
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis < DELAY_MILLIS / 4, "the second event took " + millis + " ms: it was held for the rest of the delay");
    } finally {
      cluster.stop(paced);
    }
  }

  @Test
  void aQuietNamespaceIsNotHeldBecauseABusyOneIs() throws Exception {
    try (SseClient both = SseClient.open(clients, delayingNode.httpPort(), "/subscribe?ns=delay.busy,delay.calm")) {
      prime(List.of(both), "delay.busy");
      publisherNode.vertx().eventBus().publish("delay.busy", "busy-0");
      publisherNode.vertx().eventBus().publish("delay.busy", "busy-1");
      Thread.sleep(500);   // the busy events reach the node and are held there
      long start = System.nanoTime();
      publisherNode.vertx().eventBus().publish("delay.calm", "calm");

      both.awaitData("calm", WAIT);
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertEquals("calm", data(both.events()).get(PRIMES), "the busy namespace's events are still held");
      assertEquals(PRIMES + 1, both.events().size(), "the busy namespace's events are still held");
      assertTrue(millis < DELAY_MILLIS / 4, "the calm event took " + millis + " ms: it was held with the busy ones");
    }
  }

  /**
   * Publishes PRIMES events "prime ADDRESS i", each once every stream has the one before: they leave at
   * once, and the address's pace is now known to be fast, so its next event is held (see WritePacing).
   */
  private static void prime(List<SseClient> streams, String address) throws InterruptedException {
    for (int i = 0; i < PRIMES; i++) {
      publisherNode.vertx().eventBus().publish(address, "prime " + address + " " + i);
      for (SseClient stream : streams) {
        stream.awaitData("prime " + address + " " + i, WAIT);
      }
    }
  }

  private static List<String> data(List<Event> events) {
    return events.stream().map(Event::data).toList();
  }
}
