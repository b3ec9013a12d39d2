package ssecluster.history;

import org.junit.jupiter.api.Test;
import ssecluster.namespace.Namespace;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ids streams are sent, read back as positions: what a client that reconnects with one resumes from. */
class FrontierTest {

  private static final Namespace DOGS = Namespace.parse("pets.dogs");
  private static final Namespace CATS = Namespace.parse("pets.cats");
  private static final long T = 1_764_864_000_000_000L;
  private static final long W = StreamPosition.WINDOW_MICROS;

  @Test
  void aStreamThatHearsOneNamespaceSendsEachMessagesOwnId() {
    Frontier frontier = new Frontier();
    assertEquals(Long.toString(T), frontier.deliver(DOGS, T));
    assertEquals(Long.toString(T + 7), frontier.deliver(DOGS, T + 7));
  }

  @Test
  void whileSeveralNamespacesAreHeardTheIdNamesTheOthers() {
    Frontier frontier = new Frontier();
    frontier.deliver(DOGS, T);
    String id = frontier.deliver(CATS, T + 36);
    // cats holds the newest message and goes unnamed; dogs is 36 (base 36: "10") behind it.
    assertEquals((T + 36) + "~pets.dogs:10", id);

    StreamPosition position = StreamPosition.parse(id);
    assertTrue(position.newestUnnamed());
    ReadFrom from = position.readFrom();
    assertEquals(T, from.positionOf("pets.dogs"));
    assertEquals(T + 36 - W, from.positionOf("pets.cats"), "the unnamed one is placed from history");
    assertEquals(T + 36 - W, from.positionOf("pets.birds"));
  }

  @Test
  void aNamespaceSilentForTheWholeWindowIsNoLongerNamed() {
    Frontier frontier = new Frontier();
    frontier.deliver(DOGS, T);
    frontier.deliver(CATS, T + 1);
    assertEquals(Long.toString(T + W + 5), frontier.deliver(CATS, T + W + 5));
  }

  @Test
  void aLateMessageOfAnotherNamespaceIsNamedBehindTheNewest() {
    Frontier frontier = new Frontier();
    frontier.deliver(CATS, T + 100);
    String id = frontier.deliver(DOGS, T + 40);
    assertEquals((T + 100) + "~pets.dogs:1o", id);   // 60 in base 36
    assertEquals(T + 40, StreamPosition.parse(id).readFrom().positionOf("pets.dogs"));
  }

  @Test
  void twoNamespacesAtTheNewestSequenceAreBothNamed() {
    Frontier frontier = new Frontier();
    frontier.deliver(CATS, T);
    String id = frontier.deliver(DOGS, T);
    assertEquals(T + "~pets.cats~pets.dogs", id);
    StreamPosition position = StreamPosition.parse(id);
    assertFalse(position.newestUnnamed());
    assertEquals(Map.of("pets.cats", T, "pets.dogs", T), position.readFrom().positions());
  }

  @Test
  void theRootIsNamedWithADot() {
    Frontier frontier = new Frontier();
    frontier.deliver(Namespace.ROOT, T);
    String id = frontier.deliver(DOGS, T + 1);
    assertEquals((T + 1) + "~.:1", id);
    assertEquals(T, StreamPosition.parse(id).readFrom().positionOf(""));
  }

  @Test
  void beyondThirtyTwoNamespacesTheRestShareOneEntryThatNeverUndershootsThem() {
    Frontier frontier = new Frontier();
    for (int i = 0; i < 40; i++) {
      frontier.deliver(Namespace.parse("user.u" + i), T + i);
    }
    String id = frontier.deliver(Namespace.parse("user.u40"), T + 40);
    StreamPosition position = StreamPosition.parse(id);
    ReadFrom from = position.readFrom();
    assertEquals(32, from.positions().size(), id);
    // The eight least recent are not named: they resume from the newest of them, never before what they got.
    assertEquals(T + 7, from.others());
    for (int i = 0; i < 8; i++) {
      assertTrue(from.positionOf("user.u" + i) >= T + i);
    }
    for (int i = 8; i < 40; i++) {
      assertEquals(T + i, from.positionOf("user.u" + i));
    }
  }

  @Test
  void aSeededFrontierGoesOnFromTheResumedPosition() {
    Frontier frontier = new Frontier();
    frontier.seed(T + 36, new ReadFrom(Map.of("pets.dogs", T, "pets.cats", T + 36), T + 36 - W));
    assertEquals((T + 50) + "~pets.cats:e~pets.dogs:1e", frontier.deliver(Namespace.parse("pets.birds"), T + 50));
  }

  @Test
  void unreadableIdsAreKnownAsSuch() {
    for (String text : new String[] {"", "abc", "-5", "12~", "12~pets..dogs", "12~pets:zz!", "12~pets:-1",
        "99999999999999999999", "12~:3", "1".repeat(5000), "12~pets:100"}) {
      assertFalse(StreamPosition.parse(text).isReadable(), "'" + text.substring(0, Math.min(text.length(), 30)) + "'");
    }
    assertTrue(StreamPosition.parse("earliest").isEarliest());
    assertTrue(StreamPosition.parse("EARLIEST").isEarliest());
    assertTrue(StreamPosition.parse(Long.toString(T)).isReadable());
    assertEquals(ReadFrom.EARLIEST, StreamPosition.parse("earliest").readFrom());
  }

  @Test
  void anOthersEntryPlacesEveryNamespaceTheIdDoesNotName() {
    StreamPosition position = StreamPosition.parse(T + "~*:a~pets.dogs");
    assertFalse(position.newestUnnamed());
    assertEquals(T - 10, position.readFrom().positionOf("pets.cats"));
    assertEquals(T, position.readFrom().positionOf("pets.dogs"));
  }
}
