package ssecluster.bench;

import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heap and native memory of a JVM node, read from outside with {@code jcmd} (no JMX): heap used after a
 * full GC, and Native Memory Tracking's committed total (the node must run with
 * {@code -XX:NativeMemoryTracking=summary}; the bench adds it in idle mode).
 */
final class JvmMemory {

  /** KiB; -1 where unknown. {@code nonHeapCommitted} is NMT's total minus the Java heap: direct buffers, metaspace, threads, GC, code... */
  record Snapshot(long heapUsed, long heapCommitted, long nmtCommitted, long nonHeapCommitted, long otherCommitted) {
  }

  private static final Pattern HEAP_USED = Pattern.compile("total (\\d+)K, used (\\d+)K");
  private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");
  private static final Pattern NMT_HEAP = Pattern.compile("Java Heap \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");
  private static final Pattern NMT_OTHER = Pattern.compile("Other \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");

  private JvmMemory() {
  }

  /** Runs a full GC first so heap figures are live data, not garbage. */
  static Snapshot read(long pid) {
    jcmd(pid, "GC.run");
    String heap = jcmd(pid, "GC.heap_info");
    String nmt = jcmd(pid, "VM.native_memory", "summary");
    return parse(heap, nmt);
  }

  static Snapshot parse(String heapInfo, String nmtSummary) {
    long heapUsed = -1;
    long heapTotal = -1;
    Matcher heap = HEAP_USED.matcher(heapInfo);
    if (heap.find()) {
      heapTotal = Long.parseLong(heap.group(1));
      heapUsed = Long.parseLong(heap.group(2));
    }
    long total = group(NMT_TOTAL, nmtSummary);
    long heapCommitted = group(NMT_HEAP, nmtSummary);
    long other = group(NMT_OTHER, nmtSummary);
    long nonHeap = total >= 0 && heapCommitted >= 0 ? total - heapCommitted : -1;
    return new Snapshot(heapUsed, heapCommitted >= 0 ? heapCommitted : heapTotal, total, nonHeap, other);
  }

  private static long group(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    return m.find() ? Long.parseLong(m.group(2)) : -1;
  }

  private static String jcmd(long pid, String... command) {
    try {
      String[] args = new String[command.length + 2];
      args[0] = "jcmd";
      args[1] = Long.toString(pid);
      System.arraycopy(command, 0, args, 2, command.length);
      Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes());
      process.waitFor(30, TimeUnit.SECONDS);
      return out;
    } catch (Exception e) {
      return "";
    }
  }
}
