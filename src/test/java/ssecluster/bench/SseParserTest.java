package ssecluster.bench;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SseParserTest {

  private record Event(String id, String event, String data) {
  }

  private final List<Event> events = new ArrayList<>();
  private final SseParser parser = new SseParser((id, event, data) -> events.add(new Event(id, event, data)));

  private void feed(String text) {
    parser.feed(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void parsesWhatTheServerWrites() {
    feed("retry: 2000\n\nid: 1-a-1\nevent: new-dog\ndata: Corgi\n\n:keepalive\n\nid: 1-a-2\ndata: line1\ndata: line2\n\n");
    assertEquals(List.of(new Event("1-a-1", "new-dog", "Corgi"), new Event("1-a-2", null, "line1\nline2")), events);
    assertEquals(2000, parser.retryMillis());
    assertEquals(1, parser.comments());
    assertEquals(2, parser.events());
  }

  @Test
  void sameEventsWhereverTheBytesAreSplit() {
    String stream = "id: 7\r\nevent: e\r\ndata: a\r\ndata:b\r\n\r\n:c\r\rdata: x y\r\r" + "data: é€\n\n";
    List<Event> expected = List.of(new Event("7", "e", "a\nb"), new Event("7", null, "x y"), new Event("7", null, "é€"));
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    for (int split = 0; split <= bytes.length; split++) {
      for (int split2 = split; split2 <= bytes.length; split2 += 3) {
        List<Event> got = new ArrayList<>();
        SseParser p = new SseParser((id, event, data) -> got.add(new Event(id, event, data)));
        p.feed(bytes, 0, split);
        p.feed(bytes, split, split2 - split);
        p.feed(bytes, split2, bytes.length - split2);
        assertEquals(expected, got, "split at " + split + "/" + split2);
        assertEquals(1, p.comments());
      }
    }
  }

  @Test
  void oneByteAtATime() {
    byte[] bytes = "data: 12 345 xxxx\n\ndata: 13 346 xxxx\n\n".getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      parser.feed(new byte[] {b});
    }
    assertEquals(List.of(new Event(null, null, "12 345 xxxx"), new Event(null, null, "13 346 xxxx")), events);
  }

  @Test
  void blockWithoutDataDispatchesNothing() {
    feed("event: x\n\nid: 5\n\n:only a comment\n\n");
    assertEquals(List.of(), events);
    assertEquals("5", parser.lastEventId());
  }

  @Test
  void incompleteEventIsNotDispatched() {
    feed("data: half");
    feed("\n");
    assertEquals(List.of(), events);
    feed("\n");
    assertEquals(List.of(new Event(null, null, "half")), events);
  }

  @Test
  void fieldRules() {
    // only one leading space is dropped; a line without colon is a field with an empty value
    feed("data:  two spaces\n\ndata\n\ndata:\ndata:\n\nunknown: z\ndata: ok\n\n");
    assertEquals(List.of(new Event(null, null, " two spaces"), new Event(null, null, ""), new Event(null, null, "\n"),
        new Event(null, null, "ok")), events);
  }

  @Test
  void eventNameDoesNotCarryOver() {
    feed("event: a\ndata: 1\n\ndata: 2\n\n");
    assertEquals("a", events.get(0).event());
    assertNull(events.get(1).event());
  }

  @Test
  void byteOrderMarkAtStartIsIgnored() {
    parser.feed(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    feed("data: x\n\n");
    assertEquals(List.of(new Event(null, null, "x")), events);
  }

  @Test
  void longLinesGrowTheBuffer() {
    String big = "y".repeat(10_000);
    feed("data: " + big + "\n\n");
    assertEquals(big, events.get(0).data());
  }

  @Test
  void nchanStyleStream() {
    // nchan's eventsource subscriber: ":" comment preamble, id with a colon, data lines
    feed(": hi\n\nid: 1700000000:0\ndata: 3 1700000000000000 xx\n\n");
    assertEquals(List.of(new Event("1700000000:0", null, "3 1700000000000000 xx")), events);
  }
}
