package ssecluster.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU affinity through util-linux's {@code taskset}, so the load generator and the servers can be kept
 * on separate cores: on a shared box their competition for CPU shows up as latency that is neither's own.
 */
final class CpuPinning {

  private CpuPinning() {
  }

  /** The command prefix that starts a process on {@code cpus}, or nothing when no pinning is asked for. */
  static List<String> prefix(String cpus) {
    return cpus.isEmpty() ? List.of() : List.of("taskset", "-c", cpus);
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
