package ssecluster.bench;

/**
 * Log-linear histogram of latencies in microseconds: values below 2^{@value #SUB_BITS} are exact, larger
 * ones fall into buckets whose width is 1/2^{@value #SUB_BITS} of their magnitude (under 1% relative
 * error). Percentiles use the nearest-rank definition and report the bucket's upper bound, capped at the
 * exact maximum, so they never understate. Not thread-safe; merge per-loop histograms at the end.
 */
public final class LatencyHistogram {

  static final int SUB_BITS = 7;
  private static final int SUB_COUNT = 1 << SUB_BITS;
  /** Covers up to 2^40 µs (about 12 days). */
  private static final int MAX_EXPONENT = 40;

  private final long[] counts = new long[(MAX_EXPONENT - SUB_BITS + 2) * SUB_COUNT];
  private long count;
  private long max = Long.MIN_VALUE;
  private long min = Long.MAX_VALUE;
  private long negatives;
  private double sum;

  /** Records one latency; negative values (clock trouble) are counted apart and recorded as 0. */
  public void record(long micros) {
    if (micros < 0) {
      negatives++;
      micros = 0;
    }
    counts[indexOf(micros)]++;
    count++;
    sum += micros;
    max = Math.max(max, micros);
    min = Math.min(min, micros);
  }

  static int indexOf(long value) {
    if (value < SUB_COUNT) {
      return (int) value;
    }
    int exponent = 63 - Long.numberOfLeadingZeros(value); // >= SUB_BITS
    if (exponent > MAX_EXPONENT) {
      exponent = MAX_EXPONENT;
      value = (1L << (MAX_EXPONENT + 1)) - 1;
    }
    int shift = exponent - SUB_BITS;
    int sub = (int) (value >>> shift) - SUB_COUNT; // 0 .. SUB_COUNT-1
    return (shift + 1) * SUB_COUNT + sub;
  }

  /** Highest value that maps to the bucket. */
  static long upperBound(int index) {
    if (index < SUB_COUNT) {
      return index;
    }
    int shift = index / SUB_COUNT - 1;
    int sub = index % SUB_COUNT;
    return (((long) (SUB_COUNT + sub + 1)) << shift) - 1;
  }

  /** Nearest-rank percentile, {@code q} in (0, 100]; 0 when empty. */
  public long percentile(double q) {
    if (count == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(q / 100.0 * count);
    rank = Math.max(1, Math.min(count, rank));
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return Math.min(upperBound(i), max);
      }
    }
    return max;
  }

  public void merge(LatencyHistogram other) {
    for (int i = 0; i < counts.length; i++) {
      counts[i] += other.counts[i];
    }
    count += other.count;
    sum += other.sum;
    negatives += other.negatives;
    if (other.count > 0) {
      max = Math.max(max, other.max);
      min = Math.min(min, other.min);
    }
  }

  public long count() {
    return count;
  }

  public long max() {
    return count == 0 ? 0 : max;
  }

  public long min() {
    return count == 0 ? 0 : min;
  }

  public double mean() {
    return count == 0 ? 0 : sum / count;
  }

  public long negatives() {
    return negatives;
  }
}
