package ssecluster.admin;

import org.junit.jupiter.api.Test;
import ssecluster.namespace.Namespace;
import ssecluster.namespace.Subscription;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ?limit=} and {@code ?ns=} of the admin data: what they take, what they refuse, and how they travel between nodes. */
class StatusQueryTest {

  @Test
  void namespacesTakeThemselvesAndWhatIsBelowOnSegmentBoundaries() {
    StatusQuery pets = StatusQuery.of(List.of(), List.of("pets,time"), 100);
    assertEquals(100, pets.limit());
    assertTrue(pets.takes(Namespace.parse("pets")));
    assertTrue(pets.takes(Namespace.parse("pets.dogs")));
    assertTrue(pets.takes(Namespace.parse("time")));
    assertFalse(pets.takes(Namespace.parse("petshop")));
    assertFalse(pets.takes(Namespace.ROOT), "a stream of everything is not a stream of pets");
    assertTrue(pets.takes(Subscription.of(List.of(Namespace.parse("news"), Namespace.parse("pets.cats")))));
    assertFalse(pets.takes(Subscription.of(List.of(Namespace.ROOT))));
    StatusQuery all = StatusQuery.of(List.of("0"), List.of(), 100);
    assertEquals(0, all.limit());
    assertTrue(all.takes(Namespace.ROOT) && all.takes(Subscription.of(List.of())));
  }

  @Test
  void badParametersAreRefusedWithTheReason() {
    assertEquals("limit must be a number from 0 to 100000",
        assertThrows(IllegalArgumentException.class, () -> StatusQuery.of(List.of("-1"), List.of(), 100)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> StatusQuery.of(List.of("100001"), List.of(), 100));
    assertThrows(IllegalArgumentException.class, () -> StatusQuery.of(List.of("ten"), List.of(), 100));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> StatusQuery.of(List.of(), List.of("pets,"), 100))
        .getMessage().contains("empty item"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> StatusQuery.of(List.of(), List.of("pets..dogs"), 100))
        .getMessage().startsWith("ns: "));
  }

  @Test
  void travelsToOtherNodesAsItIs() {
    StatusQuery query = StatusQuery.of(List.of("7"), List.of("pets.dogs", "time"), 100);
    assertEquals(query, StatusQuery.fromJson(query.toJson()));
    assertEquals(new StatusQuery(0, List.of()), StatusQuery.fromJson("not a query"));
  }
}
