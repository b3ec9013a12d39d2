package ssecluster.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcStatsTest {

  @Test
  void cpuTicksAreUtimePlusStime() {
    String stat = "10349 (cat) R 10343 10343 8331 0 -1 4194304 100 0 0 0 7 3 0 0 20 0 1 0 126176 3133440 416 0";
    assertEquals(10, ProcStats.parseCpuTicks(stat));
    assertEquals(3, ProcStats.parseSystemTicks(stat));
    assertEquals(10343, ProcStats.parseParentPid(stat));
    assertEquals(0, ProcStats.parseNiceness(stat));
    assertEquals(-5, ProcStats.parseNiceness("7 (java) S 1 7 7 0 -1 0 0 0 0 0 1 1 0 0 15 -5 30 0 1 1 1 0"));
  }

  @Test
  void commandNamesWithSpacesAndParenthesesDoNotShiftFields() {
    String stat = "42 (my (odd) name) S 1 42 42 0 -1 0 0 0 0 0 250 125 0 0 20 0 9 0 1 1 1 0";
    assertEquals(375, ProcStats.parseCpuTicks(stat));
    assertEquals(1, ProcStats.parseParentPid(stat));
  }

  @Test
  void rssFromStatus() {
    String status = "Name:\tjava\nVmPeak:\t 9000 kB\nVmRSS:\t  123456 kB\nThreads:\t40\n";
    assertEquals(123456, ProcStats.parseStatusKib(status, "VmRSS"));
    assertEquals(-1, ProcStats.parseStatusKib(status, "VmSwap"));
  }

  @Test
  void machineTicksBusyAndTotal() {
    assertArrayEquals(new long[] {60, 160}, ProcStats.parseMachineTicks("cpu  10 5 20 80 20 10 10 5 0 0"));
  }

  @Test
  void schedstatFields() {
    assertArrayEquals(new long[] {4736272, 631218, 17}, ProcStats.parseSchedstat("4736272 631218 17\n"));
  }

  @Test
  void runQueueWaitReadsEveryThreadOfThisProcess() {
    long[] self = ProcStats.runQueueWait(List.of(ProcessHandle.current().pid()));
    // A JVM has run its threads thousands of times by now; a wait of 0 on a busy box is possible but not negative.
    assertTrue(self[1] > 100, "times run: " + self[1]);
    assertTrue(self[0] >= 0);
    assertArrayEquals(new long[] {0, 0}, ProcStats.runQueueWait(List.of(Long.MAX_VALUE)));
  }

  @Test
  void readsThisProcess() {
    long self = ProcessHandle.current().pid();
    assertTrue(ProcStats.cpuSeconds(self) > 0);
    assertTrue(ProcStats.rssKib(self) > 1000);
    assertEquals(-1, ProcStats.cpuSeconds(Long.MAX_VALUE));
  }
}
