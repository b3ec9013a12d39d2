package ssecluster.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * How the servers and the load generator share the cores: CPU affinity through util-linux's
 * {@code taskset}, and the servers' scheduling priority through coreutils' {@code nice}. On a shared box
 * their competition for CPU shows up as latency that is neither's own; these let a run show how much.
 */
final class Scheduling {

  private Scheduling() {
  }

  /**
   * The command prefix that starts a server on {@code cpus} at niceness {@code nice}; nothing for what is
   * not asked for (empty strings). A negative niceness needs root or CAP_SYS_NICE; without it nice warns
   * and starts the server unchanged, which the bench reports from /proc.
   */
  static List<String> prefix(String cpus, String nice) {
    List<String> prefix = new ArrayList<>();
    if (!nice.isEmpty()) {
      prefix.addAll(List.of("nice", "-n", nice));
    }
    if (!cpus.isEmpty()) {
      prefix.addAll(List.of("taskset", "-c", cpus));
    }
    return prefix;
  }

  /** Pins every thread of this process (threads started later inherit it) to {@code cpus}. */
  static void pinSelf(String cpus) throws IOException, InterruptedException {
    if (cpus.isEmpty()) {
      return;
    }
    List<String> command = new ArrayList<>(List.of("taskset", "-a", "-p", "-c", cpus,
        Long.toString(ProcessHandle.current().pid())));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes()).trim();
    if (process.waitFor() != 0) {
      throw new IllegalStateException("could not pin the bench to CPUs " + cpus + ": " + output);
    }
  }
}
