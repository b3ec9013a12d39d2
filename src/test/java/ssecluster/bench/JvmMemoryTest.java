package ssecluster.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JvmMemoryTest {

  @Test
  void parsesJcmdOutputOfJdk17() {
    String heap = """
        12345:
         garbage-first heap   total 524288K, used 20480K [0x0000000700000000, 0x0000000800000000)
          region size 2048K, 3 young (6144K), 0 survivors (0K)
         Metaspace       used 40000K, committed 40500K, reserved 1114112K
        """;
    String nmt = """
        12345:

        Native Memory Tracking:

        (Omitting categories weighting less than 1KB)

        Total: reserved=3000000KB, committed=700000KB
        -                 Java Heap (reserved=2097152KB, committed=524288KB)
                                    (mmap: reserved=2097152KB, committed=524288KB)

        -                     Class (reserved=1050000KB, committed=42000KB)
        -                     Other (reserved=33000KB, committed=33000KB)
                                    (malloc=33000KB #120)
        """;
    JvmMemory.Snapshot s = JvmMemory.parse(heap, nmt);
    assertEquals(20480, s.heapUsed());
    assertEquals(524288, s.heapCommitted());
    assertEquals(700000, s.nmtCommitted());
    assertEquals(700000 - 524288, s.nonHeapCommitted());
    assertEquals(33000, s.otherCommitted());
  }

  @Test
  void missingOutputGivesUnknowns() {
    JvmMemory.Snapshot s = JvmMemory.parse("", "");
    assertEquals(-1, s.heapUsed());
    assertEquals(-1, s.nonHeapCommitted());
  }
}
