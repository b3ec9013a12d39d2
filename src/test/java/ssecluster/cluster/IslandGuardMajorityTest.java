package ssecluster.cluster;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The majority rule of {@link IslandGuard}: who counts as the cluster a node had, and when it is too few. */
class IslandGuardMajorityTest {

  private static final long FORGET_AFTER = 30_000;
  private static final Set<String> ABC = Set.of("A", "B", "C");
  private static final Set<String> AB = Set.of("A", "B");
  private static final Set<String> A = Set.of("A");

  @Test
  void twoOfThreeServeAndOneOfThreeDoesNot() {
    IslandGuard.Majority majority = new IslandGuard.Majority(FORGET_AFTER);
    assertNull(majority.check(ABC, 0));
    assertNull(majority.check(AB, 1_000), "a member died: two of three are the majority");
    String reason = majority.check(A, 2_000);
    assertNotNull(reason, "a node that lost both others within the failure detector's time is an island");
    assertTrue(reason.contains("1 of the 3"), reason);
  }

  @Test
  void exactlyHalfKeepsServing() {
    IslandGuard.Majority majority = new IslandGuard.Majority(FORGET_AFTER);
    assertNull(majority.check(AB, 0));
    assertNull(majority.check(A, 1_000), "one of two: a crash cannot be told from a split, so it serves on");
  }

  @Test
  void aClusterThatShrankWhileServingIsTheClusterItHasAfterAWhile() {
    IslandGuard.Majority majority = new IslandGuard.Majority(FORGET_AFTER);
    majority.check(ABC, 0);
    majority.check(AB, 1_000);
    assertNull(majority.check(AB, 1_000 + FORGET_AFTER), "two of three, for long enough to become the cluster");
    assertNull(majority.check(A, 2_000 + FORGET_AFTER), "then one of two, half");
  }

  @Test
  void anIslandKeepsTheSizeItHadHoweverLongItLasts() {
    IslandGuard.Majority majority = new IslandGuard.Majority(FORGET_AFTER);
    majority.check(ABC, 0);
    assertNotNull(majority.check(A, 1_000));
    assertNotNull(majority.check(A, 10 * FORGET_AFTER), "a minority never becomes the whole cluster by waiting");
    assertNull(majority.check(ABC, 11 * FORGET_AFTER), "merged back");
  }

  @Test
  void membersThatLeaveOnPurposeStopCounting() {
    IslandGuard.Majority majority = new IslandGuard.Majority(FORGET_AFTER);
    majority.check(ABC, 0);
    majority.leaving("B", 1_000);
    majority.leaving("C", 1_000);
    assertNull(majority.check(A, 2_000), "B and C were stopped; A alone is the whole cluster");
  }

  @Test
  void aNodeThatJoinsWhereOneLeftCountsAgain() {
    IslandGuard.Majority majority = new IslandGuard.Majority(FORGET_AFTER);
    majority.check(ABC, 0);
    majority.leaving("B", 1_000);
    majority.check(Set.of("A", "C"), 1_500);
    majority.joined("B");   // B restarted at the same address
    majority.check(ABC, 2_000);
    assertNotNull(majority.check(A, 3_000), "the new B and C vanished without a word: A is a minority");
  }
}
