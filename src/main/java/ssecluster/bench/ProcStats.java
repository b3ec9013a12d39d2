package ssecluster.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a server process's CPU time and resident memory from /proc (Linux), so the bench measures the
 * servers from outside, the same way for a JVM node and for nginx.
 */
public final class ProcStats {

  /** Clock ticks per second of /proc/<pid>/stat times (USER_HZ); 100 on every common Linux. */
  private static final long TICKS_PER_SECOND = ticksPerSecond();

  private ProcStats() {
  }

  /** utime + stime of the process (all its threads), in seconds; -1 when the process is gone. */
  public static double cpuSeconds(long pid) {
    try {
      return parseCpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))) / (double) TICKS_PER_SECOND;
    } catch (IOException e) {
      return -1;
    }
  }

  /** stime alone (kernel time: system calls, and on loopback much of the TCP work), in seconds; -1 when gone. */
  public static double systemSeconds(long pid) {
    try {
      return parseSystemTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))) / (double) TICKS_PER_SECOND;
    } catch (IOException e) {
      return -1;
    }
  }

  /** Sum of {@link #systemSeconds} over several processes. */
  public static double systemSeconds(List<Long> pids) {
    double total = 0;
    for (long pid : pids) {
      total += Math.max(0, systemSeconds(pid));
    }
    return total;
  }

  /** Sum of {@link #cpuSeconds} over several processes (nginx master and workers). */
  public static double cpuSeconds(List<Long> pids) {
    double total = 0;
    for (long pid : pids) {
      double cpu = cpuSeconds(pid);
      if (cpu > 0) {
        total += cpu;
      }
    }
    return total;
  }

  /**
   * How long the threads of these processes were ready to run but waited for a core, and how many times
   * they were put on one, summed over every thread from /proc/<pid>/task/<tid>/schedstat: {wait ns, runs}.
   * On a shared 2-core machine this is where queueing latency comes from. Threads that ended are missed.
   */
  public static long[] runQueueWait(List<Long> pids) {
    long[] total = new long[2];
    for (long pid : pids) {
      try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
        for (Path task : (Iterable<Path>) tasks::iterator) {
          try {
            long[] one = parseSchedstat(Files.readString(task.resolve("schedstat")));
            total[0] += one[1];
            total[1] += one[2];
          } catch (IOException | RuntimeException gone) {
            // the thread ended while we looked
          }
        }
      } catch (IOException | UncheckedIOException gone) {
        // the process is gone
      }
    }
    return total;
  }

  /** {ns on a core, ns waiting on a run queue, times run} from the text of /proc/.../schedstat. */
  static long[] parseSchedstat(String schedstat) {
    String[] f = schedstat.trim().split("\\s+");
    return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
  }

  /** VmRSS in KiB; -1 when unknown. */
  public static long rssKib(long pid) {
    try {
      return parseStatusKib(Files.readString(Path.of("/proc", Long.toString(pid), "status")), "VmRSS");
    } catch (IOException e) {
      return -1;
    }
  }

  /** utime + stime in clock ticks from the text of /proc/<pid>/stat. */
  static long parseCpuTicks(String stat) {
    // The command name (field 2) is in parentheses and may hold spaces or ')': split after the last ')'.
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line");
    }
    String[] fields = stat.substring(close + 1).trim().split("\\s+");
    // fields[0] is field 3 (state); utime is field 14, stime field 15.
    return Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
  }

  /** stime (field 15) in clock ticks from the text of /proc/<pid>/stat. */
  static long parseSystemTicks(String stat) {
    int close = stat.lastIndexOf(')');
    String[] fields = stat.substring(close + 1).trim().split("\\s+");
    return Long.parseLong(fields[15 - 3]);
  }

  /** The process's niceness (field 19 of /proc/<pid>/stat); empty when the process is gone. */
  public static String niceness(long pid) {
    try {
      return Long.toString(parseNiceness(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))));
    } catch (IOException e) {
      return "";
    }
  }

  /** Niceness (field 19) from the text of /proc/<pid>/stat. */
  static long parseNiceness(String stat) {
    int close = stat.lastIndexOf(')');
    String[] fields = stat.substring(close + 1).trim().split("\\s+");
    return Long.parseLong(fields[19 - 3]);
  }

  /** The parent pid (field 4) from the text of /proc/<pid>/stat. */
  static long parseParentPid(String stat) {
    int close = stat.lastIndexOf(')');
    String[] fields = stat.substring(close + 1).trim().split("\\s+");
    return Long.parseLong(fields[4 - 3]);
  }

  /** A "Name:   123 kB" line of /proc/<pid>/status, in KiB; -1 when absent. */
  static long parseStatusKib(String status, String name) {
    for (String line : status.split("\n")) {
      if (line.startsWith(name + ":")) {
        String[] parts = line.substring(name.length() + 1).trim().split("\\s+");
        return Long.parseLong(parts[0]);
      }
    }
    return -1;
  }

  /** The direct children of a process (nginx workers of a master). */
  public static List<Long> children(long parent) {
    List<Long> children = new ArrayList<>();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        String name = entry.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          if (parseParentPid(Files.readString(entry.resolve("stat"))) == parent) {
            children.add(Long.parseLong(name));
          }
        } catch (IOException | RuntimeException gone) {
          // the process ended while we looked
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return children;
  }

  /** The whole machine's {busy, total} jiffies from the first line of /proc/stat. */
  public static long[] machineTicks() {
    try {
      return parseMachineTicks(Files.readAllLines(Path.of("/proc/stat")).get(0));
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  /** {busy, total} from a "cpu  user nice system idle iowait irq softirq steal ..." line. */
  static long[] parseMachineTicks(String cpuLine) {
    String[] f = cpuLine.trim().split("\\s+");
    long total = 0;
    for (int i = 1; i < Math.min(f.length, 9); i++) {
      total += Long.parseLong(f[i]);
    }
    long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
    return new long[] {total - idle, total};
  }

  /** Load average (1 min) from /proc/loadavg, to print next to each figure on a shared machine. */
  public static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static long ticksPerSecond() {
    try {
      Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(getconf.getInputStream().readAllBytes()).trim();
      getconf.waitFor();
      return Long.parseLong(out);
    } catch (Exception e) {
      return 100;
    }
  }
}
