package ssecluster.testsupport;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A node in a JVM of its own, on a test cluster's Hazelcast file, so that a test can kill it for real (SIGKILL),
 * freeze it (SIGSTOP) and let it go on (SIGCONT), which a node sharing the test's JVM cannot. Its output goes to
 * {@code target/<name>.log}.
 */
public final class NodeProcess implements AutoCloseable {

  private final Process process;
  private final int httpPort;

  private NodeProcess(Process process, int httpPort) {
    this.process = process;
    this.httpPort = httpPort;
  }

  /**
   * Starts a node of {@code cluster} named {@code name}, on a free HTTP port, with these extra flags (they win over
   * the defaults here); returns once its /health answers 200.
   */
  public static NodeProcess start(TestCluster cluster, String name, String... flags)
      throws IOException, InterruptedException {
    int httpPort = TestCluster.freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String jvmArg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (jvmArg.startsWith("--add-")) {
        command.add(jvmArg);
      }
    }
    command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), "ssecluster.Main", "node",
        "--cluster-config", cluster.clusterConfig().toString(),
        "--http-port", String.valueOf(httpPort), "--https-port", "-1", "--http-instances", "1",
        "--node-name", name,
        // As TestCluster's nodes: only tests that start their own Redis or PostgreSQL ingest from one.
        "--redis-ingest", "false", "--postgres-url", ""));
    command.addAll(List.of(flags));
    File log = Path.of("target", name + ".log").toFile();
    NodeProcess node = new NodeProcess(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start(),
        httpPort);
    try {
      Await.until(name + " to answer /health with 200 (see " + log + ")", Duration.ofSeconds(60), () -> {
        if (!node.process.isAlive()) {
          throw new AssertionError(name + " exited; see " + log);
        }
        return node.healthy();
      });
    } catch (AssertionError | InterruptedException failed) {
      node.close();
      throw failed;
    }
    return node;
  }

  private boolean healthy() {
    try {
      return Http.get(httpPort, "/health").statusCode() == 200;
    } catch (RuntimeException | AssertionError notYet) {
      return false;
    }
  }

  public int httpPort() {
    return httpPort;
  }

  /** Sends a signal ({@code STOP}, {@code CONT}, {@code KILL}...) to the node's JVM. */
  public void signal(String signal) throws IOException, InterruptedException {
    int exit = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start().waitFor();
    assertEquals(0, exit, "kill -" + signal);
  }

  /** SIGKILL, and waits until the process is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  /** Kills the JVM (continuing it first, should it be stopped) and waits until it is gone. */
  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly();
    try {
      signal("CONT");
    } catch (IOException | AssertionError alreadyGone) {
      // nothing left to continue
    }
    process.waitFor();
  }
}
