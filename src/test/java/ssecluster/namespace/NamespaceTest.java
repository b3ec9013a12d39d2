package ssecluster.namespace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NamespaceTest {

  @ParameterizedTest
  @ValueSource(strings = {"pets", "pets.dogs", "time", "a_b-C.9", "x.y.z.w"})
  void acceptsValidDottedNames(String name) {
    assertEquals(name, Namespace.parse(name).name());
    assertEquals(name, Namespace.parse(name).address());
  }

  @ParameterizedTest
  @ValueSource(strings = {"pets..dogs", ".pets", "pets.", "pets dogs", "pets/dogs", "pets.d*gs", "pëts", "pets.dogs\n",
      "a:b", "%2F"})
  void rejectsInvalidNames(String name) {
    InvalidNamespaceException e = assertThrows(InvalidNamespaceException.class, () -> Namespace.parse(name));
    assertTrue(e.getMessage().startsWith("invalid namespace"), e.getMessage());
  }

  @Test
  void emptyIsRoot() {
    assertTrue(Namespace.parse("").isRoot());
    assertTrue(Namespace.parse(null).isRoot());
    assertTrue(Namespace.fromPath("").isRoot());
    assertTrue(Namespace.fromPath("/").isRoot());
  }

  @Test
  void enforcesDepthAndLengthLimits() {
    String sixteen = String.join(".", java.util.Collections.nCopies(16, "a"));
    assertEquals(sixteen, Namespace.parse(sixteen).name());
    InvalidNamespaceException tooDeep = assertThrows(InvalidNamespaceException.class, () -> Namespace.parse(sixteen + ".a"));
    assertTrue(tooDeep.getMessage().contains("16 segments"), tooDeep.getMessage());

    String longest = "a".repeat(256);
    assertEquals(longest, Namespace.parse(longest).name());
    InvalidNamespaceException tooLong = assertThrows(InvalidNamespaceException.class, () -> Namespace.parse(longest + "a"));
    assertTrue(tooLong.getMessage().contains("256"), tooLong.getMessage());
    assertThrows(InvalidNamespaceException.class, () -> Namespace.fromPath("/" + "a".repeat(257)));
  }

  @Test
  void pathSegmentsMapToDottedNames() {
    assertEquals("pets.dogs", Namespace.fromPath("/pets/dogs").name());
    assertEquals("pets.dogs", Namespace.fromPath("pets/dogs/").name());
    assertThrows(InvalidNamespaceException.class, () -> Namespace.fromPath("/pets//dogs"));
    assertThrows(InvalidNamespaceException.class, () -> Namespace.fromPath("/pets.dogs"));
    assertThrows(InvalidNamespaceException.class, () -> Namespace.fromPath("/pets/../admin"));
  }

  @Test
  void coversOnSegmentBoundariesOnly() {
    Namespace pets = Namespace.parse("pets");
    assertTrue(pets.covers(Namespace.parse("pets")));
    assertTrue(pets.covers(Namespace.parse("pets.dogs")));
    assertTrue(pets.covers(Namespace.parse("pets.dogs.corgi")));
    assertFalse(pets.covers(Namespace.parse("petshop")));
    assertFalse(pets.covers(Namespace.parse("pet")));
    assertFalse(Namespace.parse("pets.dogs").covers(pets));
    assertTrue(Namespace.ROOT.covers(Namespace.parse("anything.at.all")));
    assertFalse(pets.covers(Namespace.ROOT));
  }

  @Test
  void selfAndAncestorsEndAtRoot() {
    assertEquals(List.of("pets.dogs.corgi", "pets.dogs", "pets", ""),
        Namespace.parse("pets.dogs.corgi").selfAndAncestors().stream().map(Namespace::name).toList());
    assertEquals(List.of(""), Namespace.ROOT.selfAndAncestors().stream().map(Namespace::name).toList());
  }

  @Test
  void subscriptionKeepsOnlyDisjointSubtrees() {
    Subscription overlapping = Subscription.of(List.of(
        Namespace.parse("pets.dogs"), Namespace.parse("pets"), Namespace.parse("time"), Namespace.parse("pets")));
    assertEquals(List.of(Namespace.parse("pets"), Namespace.parse("time")), overlapping.namespaces());

    assertEquals(List.of(Namespace.ROOT), Subscription.of(List.of(Namespace.parse("pets"), Namespace.ROOT)).namespaces());
    assertEquals(List.of(Namespace.ROOT), Subscription.of(List.of()).namespaces());
    assertEquals(List.of(Namespace.parse("pets"), Namespace.parse("petshop")),
        Subscription.of(List.of(Namespace.parse("pets"), Namespace.parse("petshop"))).namespaces());
  }
}
