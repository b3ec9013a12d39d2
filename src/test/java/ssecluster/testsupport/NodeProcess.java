package ssecluster.testsupport;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A node in a JVM of its own, on a test cluster's Hazelcast file, so that a test can freeze it (SIGSTOP), let it
 * go on (SIGCONT) or kill it for real. Its output goes to a log file under target/.
 */
public final class NodeProcess implements AutoCloseable {

  private final Process process;

  private NodeProcess(Process process) {
    this.process = process;
  }

  /** Starts {@code ssecluster.Main node} with the cluster's file, this HTTP port and the extra flags. */
  public static NodeProcess start(TestCluster cluster, int httpPort, File log, String... flags) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String jvmArg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (jvmArg.startsWith("--add-")) {
        command.add(jvmArg);
      }
    }
    command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), "ssecluster.Main", "node",
        "--cluster-config", cluster.clusterConfig().toString(),
        "--http-port", String.valueOf(httpPort), "--https-port", "-1", "--http-instances", "1"));
    command.addAll(List.of(flags));
    return new NodeProcess(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start());
  }

  /** Sends a signal ({@code STOP}, {@code CONT}, {@code KILL}...) to the node's JVM. */
  public void signal(String signal) throws IOException, InterruptedException {
    int exit = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start().waitFor();
    assertEquals(0, exit, "kill -" + signal);
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
