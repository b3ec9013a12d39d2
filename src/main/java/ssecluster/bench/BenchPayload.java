package ssecluster.bench;

/**
 * The data of a benchmark event: {@code <seq> <sendMicros> <padding>}, padded with {@code x} to a fixed
 * size so every event costs the same bytes. {@code sendMicros} is the publisher's clock (see
 * {@link BenchClock}); the receiver subtracts it from its own reading of the same clock.
 */
public final class BenchPayload {

  /** What a received event carried. */
  public record Parsed(long seq, long sendMicros) {
  }

  private BenchPayload() {
  }

  /** Exactly {@code size} ASCII bytes, or longer when the two numbers alone need more. */
  public static String encode(long seq, long sendMicros, int size) {
    StringBuilder out = new StringBuilder(Math.max(size, 48));
    out.append(seq).append(' ').append(sendMicros).append(' ');
    while (out.length() < size) {
      out.append('x');
    }
    return out.toString();
  }

  /** Parses the two numbers; null when the data is not a benchmark payload. */
  public static Parsed parse(String data) {
    int firstSpace = data.indexOf(' ');
    if (firstSpace <= 0) {
      return null;
    }
    int secondSpace = data.indexOf(' ', firstSpace + 1);
    int end = secondSpace < 0 ? data.length() : secondSpace;
    long seq = digits(data, 0, firstSpace);
    long micros = digits(data, firstSpace + 1, end);
    if (seq < 0 || micros < 0) {
      return null;
    }
    return new Parsed(seq, micros);
  }

  /** Non-negative decimal number in [from, to), or -1. */
  private static long digits(String s, int from, int to) {
    if (from >= to || to - from > 18) {
      return -1;
    }
    long value = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
