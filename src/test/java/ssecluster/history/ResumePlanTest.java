package ssecluster.history;

import org.junit.jupiter.api.Test;
import ssecluster.namespace.Namespace;
import ssecluster.namespace.Subscription;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** What a resuming stream is sent, planned from what history (here in memory, with a test clock) holds. */
class ResumePlanTest {

  private static final long START = 1_764_864_000_000_000L;
  private final AtomicLong clock = new AtomicLong(START);
  private final MemoryHistory history = new MemoryHistory(5, 300_000_000L, clock::get);

  private long publish(String namespace, String data) {
    clock.addAndGet(1_000);
    return history.append(Namespace.parse(namespace), List.of(new NewMessage(null, data, 0))).result().get(0).seq();
  }

  private ResumePlan resume(String id, String... namespaces) {
    Subscription subscription = Subscription.of(List.of(namespaces).stream().map(Namespace::parse).toList());
    StreamPosition position = StreamPosition.parse(id);
    ReadFrom from = ResumePlan.readFrom(position, history.startedAtMicros(), clock.get());
    List<NamespaceSlice> slices = history.read(subscription.namespaces(), from).result();
    return ResumePlan.of(position, subscription, slices, history.startedAtMicros(), clock.get());
  }

  private static List<String> data(ResumePlan plan) {
    List<String> data = new ArrayList<>();
    plan.messages().forEach(m -> data.add(m.message().data()));
    return data;
  }

  @Test
  void aPlainStreamGetsExactlyWhatCameAfterItsId() {
    publish("time", "t1");
    long seen = publish("time", "t2");
    publish("time", "t3");
    publish("time", "t4");
    ResumePlan plan = resume(Long.toString(seen), "time");
    assertNull(plan.gap());
    assertEquals(List.of("t3", "t4"), data(plan));
  }

  @Test
  void aHierarchicalStreamGetsTheMissedMessagesOfEveryChildInOrder() {
    Frontier frontier = new Frontier();
    long d1 = publish("pets.dogs", "d1");
    frontier.deliver(Namespace.parse("pets.dogs"), d1);
    long c1 = publish("pets.cats", "c1");
    String id = frontier.deliver(Namespace.parse("pets.cats"), c1);
    publish("pets.dogs", "d2");
    publish("pets.cats", "c2");
    publish("pets.dogs.puppies", "p1");
    publish("petshop", "not mine");
    ResumePlan plan = resume(id, "pets");
    assertNull(plan.gap());
    assertEquals(List.of("d2", "c2", "p1"), data(plan));
  }

  @Test
  void theUnnamedNamespaceIsFoundInHistoryByItsNewestMessage() {
    long d1 = publish("pets.dogs", "d1");
    publish("pets.dogs", "d2");
    ResumePlan plan = resume(Long.toString(d1), "pets");
    assertEquals(List.of("d2"), data(plan));
    assertEquals(d1, plan.from().positionOf("pets.dogs"));
  }

  @Test
  void aMultiplexedStreamResumesEachNamespace() {
    Frontier frontier = new Frontier();
    String id = frontier.deliver(Namespace.parse("a"), publish("a", "a1"));
    id = frontier.deliver(Namespace.parse("b"), publish("b", "b1"));
    publish("b", "b2");
    publish("a", "a2");
    publish("c", "c1");
    assertEquals(List.of("b2", "a2"), data(resume(id, "a", "b")));
  }

  @Test
  void messagesDroppedForSizeAreAnExpiredGap() {
    long seen = publish("time", "t1");
    for (int i = 2; i <= 8; i++) {
      publish("time", "t" + i);
    }
    ResumePlan plan = resume(Long.toString(seen), "time");
    assertEquals(ResumePlan.GapReason.EXPIRED, plan.gap().reason());
    assertEquals(List.of("time"), plan.gap().namespaces());
    assertEquals(Long.toString(seen), plan.gap().lastEventId());
    assertEquals(List.of("t4", "t5", "t6", "t7", "t8"), data(plan), "then what history still holds");
  }

  @Test
  void messagesDroppedForAgeAreAnExpiredGap() {
    long seen = publish("time", "t1");
    publish("time", "t2");
    clock.addAndGet(301_000_000L);
    publish("time", "t3");
    ResumePlan plan = resume(Long.toString(seen), "time");
    assertEquals(ResumePlan.GapReason.EXPIRED, plan.gap().reason());
    assertEquals(List.of("t3"), data(plan));
  }

  @Test
  void anIdThisClusterCannotPlaceIsAnUnknownGapThenEverythingHeld() {
    publish("time", "t1");
    publish("time", "t2");
    for (String id : new String[] {"garbage", Long.toString(START - 5_000_000), Long.toString(START + 3_600_000_000L)}) {
      ResumePlan plan = resume(id, "time");
      assertEquals(ResumePlan.GapReason.UNKNOWN, plan.gap().reason(), id);
      assertEquals(List.of("time"), plan.gap().namespaces());
      assertEquals(List.of("t1", "t2"), data(plan), id);
    }
  }

  @Test
  void earliestIsEverythingHeldWithoutAGap() {
    publish("pets.dogs", "d1");
    publish("pets.cats", "c1");
    ResumePlan plan = resume("earliest", "pets");
    assertNull(plan.gap());
    assertEquals(List.of("d1", "c1"), data(plan));
  }

  @Test
  void theGapNoticeIsTheJsonTheProductNames() {
    ResumePlan.Gap gap = new ResumePlan.Gap("42", ResumePlan.GapReason.EXPIRED, List.of("pets.dogs"));
    assertEquals("{\"lastEventId\":\"42\",\"reason\":\"expired\",\"namespaces\":[\"pets.dogs\"]}", gap.toJson().encode());
  }
}
