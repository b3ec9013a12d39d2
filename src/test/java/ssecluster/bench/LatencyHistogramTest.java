package ssecluster.bench;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyHistogramTest {

  @Test
  void emptyHistogramReportsZero() {
    LatencyHistogram h = new LatencyHistogram();
    assertEquals(0, h.percentile(99));
    assertEquals(0, h.max());
    assertEquals(0, h.count());
  }

  @Test
  void smallValuesAreExactNearestRank() {
    LatencyHistogram h = new LatencyHistogram();
    for (int v = 1; v <= 100; v++) {
      h.record(v);
    }
    assertEquals(50, h.percentile(50));
    assertEquals(99, h.percentile(99));
    assertEquals(100, h.percentile(99.9));
    assertEquals(100, h.percentile(100));
    assertEquals(1, h.percentile(0.1));
    assertEquals(100, h.max());
    assertEquals(1, h.min());
    assertEquals(50.5, h.mean(), 1e-9);
  }

  @Test
  void bucketsCoverEveryValueWithinOnePercent() {
    for (long v : new long[] {127, 128, 129, 255, 256, 1000, 12_345, 999_999, 86_400_000_000L}) {
      int index = LatencyHistogram.indexOf(v);
      long upper = LatencyHistogram.upperBound(index);
      assertTrue(upper >= v, v + " above its bucket " + upper);
      assertTrue(upper - v <= v / 100 + 1, v + " bucket too wide: " + upper);
      if (index > 0) {
        assertTrue(LatencyHistogram.upperBound(index - 1) < v, "previous bucket of " + v + " overlaps");
      }
    }
  }

  @Test
  void percentilesMatchSortedSamples() {
    Random random = new Random(42);
    long[] samples = new long[100_000];
    LatencyHistogram h = new LatencyHistogram();
    for (int i = 0; i < samples.length; i++) {
      samples[i] = (long) Math.abs(random.nextGaussian() * 3_000 + 5_000) + (i % 1000 == 0 ? 200_000 : 0);
      h.record(samples[i]);
    }
    Arrays.sort(samples);
    for (double q : new double[] {50, 90, 99, 99.9, 100}) {
      long exact = samples[(int) Math.ceil(q / 100 * samples.length) - 1];
      long got = h.percentile(q);
      assertTrue(got >= exact && got <= exact + exact / 100 + 1, "p" + q + ": exact " + exact + ", got " + got);
    }
    assertEquals(samples[samples.length - 1], h.max());
  }

  @Test
  void mergeAddsCounts() {
    LatencyHistogram a = new LatencyHistogram();
    LatencyHistogram b = new LatencyHistogram();
    a.record(10);
    b.record(20);
    b.record(30);
    a.merge(b);
    assertEquals(3, a.count());
    assertEquals(30, a.max());
    assertEquals(10, a.min());
    assertEquals(20, a.percentile(50));
    a.merge(new LatencyHistogram());
    assertEquals(10, a.min());
  }

  @Test
  void negativeLatenciesAreCountedNotHidden() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(-5);
    assertEquals(1, h.negatives());
    assertEquals(0, h.max());
  }
}
