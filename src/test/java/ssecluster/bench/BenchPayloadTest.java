package ssecluster.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class BenchPayloadTest {

  @Test
  void roundTripAtExactSize() {
    String data = BenchPayload.encode(123456, 1_763_800_000_123_456L, 100);
    assertEquals(100, data.length());
    assertEquals(new BenchPayload.Parsed(123456, 1_763_800_000_123_456L), BenchPayload.parse(data));
  }

  @Test
  void numbersAloneMayExceedSmallSizes() {
    String data = BenchPayload.encode(1, 2, 3);
    assertEquals("1 2 ", data);
    assertEquals(new BenchPayload.Parsed(1, 2), BenchPayload.parse(data));
    assertEquals(new BenchPayload.Parsed(1, 2), BenchPayload.parse("1 2"));
  }

  @Test
  void foreignDataIsNotMistakenForBenchEvents() {
    assertNull(BenchPayload.parse("Corgi"));
    assertNull(BenchPayload.parse("12:00 x"));
    assertNull(BenchPayload.parse(" 1 2"));
    assertNull(BenchPayload.parse("1  2"));
    assertNull(BenchPayload.parse("-1 2 x"));
    assertNull(BenchPayload.parse("1 99999999999999999999 x"));
    assertNull(BenchPayload.parse(""));
  }
}
