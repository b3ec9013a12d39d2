package ssecluster.wire;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import ssecluster.testsupport.SseParser;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SseFramesTest {

  private static String text(io.vertx.core.buffer.Buffer buffer) {
    return buffer.toString(StandardCharsets.UTF_8);
  }

  @Test
  void encodesIdEventAndData() {
    assertEquals("id: 7\nevent: new-dog\ndata: Corgi\n\n", text(SseFrames.event("7", "new-dog", "Corgi")));
    assertEquals("id: 8\ndata: tick\n\n", text(SseFrames.event("8", null, "tick")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"\n", "\r", "\r\n"})
  void everyLineEndingBecomesItsOwnDataLine(String eol) {
    String data = "one" + eol + "two" + eol + "three";
    assertEquals("id: 1\ndata: one\ndata: two\ndata: three\n\n", text(SseFrames.event("1", null, data)));
    SseParser parsed = SseParser.parse(SseFrames.event("1", null, data).getBytes());
    assertEquals(List.of(new SseParser.Event("1", "message", "one\ntwo\nthree")), parsed.events());
  }

  @Test
  void mixedAndTrailingLineEndingsSurvive() {
    String data = "a\r\n\r\nb\n\rc\n";
    assertEquals("id: 1\ndata: a\ndata: \ndata: b\ndata: \ndata: c\ndata: \n\n", text(SseFrames.event("1", null, data)));
    // A browser normalises every line ending to \n.
    assertEquals("a\n\nb\n\nc\n", SseParser.parse(SseFrames.event("1", null, data).getBytes()).events().get(0).data());
  }

  @Test
  void emptyDataIsStillOneEvent() {
    assertEquals("id: 1\ndata: \n\n", text(SseFrames.event("1", null, "")));
    assertEquals(List.of(new SseParser.Event("1", "message", "")), SseParser.parse(SseFrames.event("1", null, "").getBytes()).events());
  }

  @Test
  void unicodeIsUtf8AndLeadingSpacesKept() {
    String data = "  héllo 🐕 世界";
    io.vertx.core.buffer.Buffer frame = SseFrames.event("1", "ünï", data);
    assertEquals("id: 1\nevent: ünï\ndata:   héllo 🐕 世界\n\n", text(frame));
    assertEquals(data, SseParser.parse(frame.getBytes()).events().get(0).data());
  }

  @Test
  void payloadCannotInjectFieldsOrEndTheEvent() {
    String attack = "ok\n\nid: 999\nevent: admin\nretry: 1\ndata: evil\r\n\r\nid: 1000";
    SseParser parsed = SseParser.parse(SseFrames.event("5", "safe", attack).getBytes());
    assertEquals(1, parsed.events().size());
    SseParser.Event only = parsed.events().get(0);
    assertEquals("5", only.id());
    assertEquals("safe", only.event());
    assertEquals("ok\n\nid: 999\nevent: admin\nretry: 1\ndata: evil\n\nid: 1000", only.data());
    assertEquals(null, parsed.retry());
  }

  @Test
  void idAndEventMustBeSingleLine() {
    assertThrows(IllegalArgumentException.class, () -> SseFrames.event("1", "a\nb", "x"));
    assertThrows(IllegalArgumentException.class, () -> SseFrames.event("1\r", null, "x"));
    assertThrows(IllegalArgumentException.class, () -> SseFrames.event("1", "a\0", "x"));
  }

  @Test
  void retryAndKeepaliveFrames() {
    assertEquals("retry: 2000\n\n", text(SseFrames.retry(2000)));
    assertEquals(":keepalive\n\n", text(SseFrames.KEEPALIVE));
    SseParser parsed = SseParser.parse((text(SseFrames.retry(2000)) + text(SseFrames.KEEPALIVE)).getBytes(StandardCharsets.UTF_8));
    assertEquals(2000L, parsed.retry());
    assertEquals(List.of("keepalive"), parsed.comments());
    assertEquals(List.of(), parsed.events());
  }
}
