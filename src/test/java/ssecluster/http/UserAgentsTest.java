package ssecluster.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class UserAgentsTest {

  @Test
  void streamsFromTheSameBrowserShareOneCopyUpToABound() {
    UserAgents agents = new UserAgents();
    String first = agents.of(new String("Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0"));
    assertSame(first, agents.of(new String("Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0")));
    assertEquals("", agents.of(null));
    assertEquals(UserAgents.MAX_LENGTH, agents.of("x".repeat(10_000)).length());

    for (int i = 0; i < UserAgents.MAX_DISTINCT; i++) {
      agents.of("agent-" + i);
    }
    String unshared = agents.of(new String("one agent too many"));
    assertEquals("one agent too many", unshared);
    assertNotSame(unshared, agents.of(new String("one agent too many")), "past the bound nothing more is kept");
    assertSame(first, agents.of(new String("Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0")), "known ones are still shared");
  }
}
