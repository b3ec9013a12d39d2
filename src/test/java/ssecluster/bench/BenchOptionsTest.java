package ssecluster.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BenchOptionsTest {

  @Test
  void defaultsAndOverrides() {
    BenchOptions o = new BenchOptions(List.of("--connections", "500", "--rate=200", "--nodes", "2", "--subscribe-nodes", "1"));
    assertEquals(500, o.connections());
    assertEquals(200, o.rate());
    assertEquals(List.of(1), o.subscribeNodes(2));
    assertEquals(100, o.size());
    assertEquals(List.of(0, 5000, 10000, 15000), o.idleSteps());
    assertEquals(5, o.healthEverySeconds());
    assertEquals("--nodes 2 --connections 500 --subscribe-nodes 1 --rate 200", o.describe());
  }

  @Test
  void allNodesByDefault() {
    assertEquals(List.of(0, 1, 2), new BenchOptions(List.of("--nodes", "3")).subscribeNodes(3));
  }

  @Test
  void rejectsMistakes() {
    assertThrows(IllegalArgumentException.class, () -> new BenchOptions(List.of("--conections", "5")));
    assertThrows(IllegalArgumentException.class, () -> new BenchOptions(List.of("--rate", "fast")));
    assertThrows(IllegalArgumentException.class, () -> new BenchOptions(List.of("--subscribe-nodes", "1")));
    assertThrows(IllegalArgumentException.class, () -> new BenchOptions(List.of("--server", "nchan", "--publish-via", "eventbus")));
    assertThrows(IllegalArgumentException.class, () -> new BenchOptions(List.of("--size", "10")));
    assertThrows(IllegalArgumentException.class, () -> new BenchOptions(List.of("--rate")));
    assertThrows(IllegalArgumentException.class, () -> new BenchOptions(List.of("--health-every", "-1")));
    assertThrows(IllegalArgumentException.class, () -> new BenchOptions(List.of("--server-cpus", "0; rm -rf /")));
  }

  @Test
  void nodeJvmDependsOnTheModeUnlessGiven() {
    assertEquals(List.of("-Xms512m", "-Xmx2g", "-XX:+AlwaysPreTouch", "-XX:CompileThresholdScaling=0.25"),
        new BenchOptions(List.of()).nodeJvm());
    assertEquals(List.of("-Xms512m", "-Xmx2g", "-XX:CompileThresholdScaling=0.25"), new BenchOptions(List.of("--mode", "idle")).nodeJvm());
    assertEquals(List.of("-Xmx1g"), new BenchOptions(List.of("--mode", "idle", "--node-jvm", "-Xmx1g")).nodeJvm());
  }

  @Test
  void serverSchedulingAsNiceAndTasksetPrefix() {
    BenchOptions o = new BenchOptions(List.of("--server-cpus", "0", "--bench-cpus", "1"));
    assertEquals(List.of("taskset", "-c", "0"), Scheduling.prefix(o.serverCpus(), o.serverNice()));
    BenchOptions none = new BenchOptions(List.of());
    assertEquals(List.of(), Scheduling.prefix(none.serverCpus(), none.serverNice()));
    BenchOptions both = new BenchOptions(List.of("--server-cpus", "0-1", "--server-nice", "-5"));
    assertEquals(List.of("nice", "-n", "-5", "taskset", "-c", "0-1"), Scheduling.prefix(both.serverCpus(), both.serverNice()));
    assertThrows(IllegalArgumentException.class, () -> new BenchOptions(List.of("--server-nice", "high")));
  }
}
