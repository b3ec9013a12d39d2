package ssecluster.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An independent text/event-stream parser that follows the WHATWG rules (lines end in CRLF, CR or LF; one
 * optional space after the colon; comments start with ':'; a blank line dispatches), so tests check the
 * server's bytes the way a browser would read them, not with the server's own encoder.
 */
public final class SseParser {

  /** One dispatched event as EventSource would expose it. {@code event} is "message" when unnamed. */
  public record Event(String id, String event, String data) {
  }

  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private final List<Event> events = new ArrayList<>();
  private final List<String> comments = new ArrayList<>();
  private boolean lastWasCr;
  private StringBuilder data;
  private String eventName;
  private String lastEventId;
  private Long retry;

  /** Feeds raw bytes (chunks may split lines or UTF-8 sequences anywhere). */
  public void feed(byte[] bytes) {
    for (byte b : bytes) {
      if (b == '\n' && lastWasCr) {
        lastWasCr = false;
        continue;
      }
      lastWasCr = b == '\r';
      if (b == '\n' || b == '\r') {
        processLine(line.toString(StandardCharsets.UTF_8));
        line.reset();
      } else {
        line.write(b);
      }
    }
  }

  private void processLine(String text) {
    if (text.isEmpty()) {
      dispatch();
      return;
    }
    if (text.startsWith(":")) {
      comments.add(text.substring(1));
      return;
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    String value = colon < 0 ? "" : text.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "data" -> {
        if (data == null) {
          data = new StringBuilder();
        }
        data.append(value).append('\n');
      }
      case "event" -> eventName = value;
      case "id" -> {
        if (value.indexOf('\0') < 0) {
          lastEventId = value;
        }
      }
      case "retry" -> {
        if (value.matches("[0-9]+")) {
          retry = Long.parseLong(value);
        }
      }
      default -> { }
    }
  }

  private void dispatch() {
    if (data == null) {
      eventName = null;
      return;
    }
    String text = data.toString();
    if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - 1);
    }
    events.add(new Event(lastEventId, eventName == null || eventName.isEmpty() ? "message" : eventName, text));
    data = null;
    eventName = null;
  }

  public List<Event> events() {
    return events;
  }

  public List<String> comments() {
    return comments;
  }

  /** The last {@code retry:} value, or null when none came yet. */
  public Long retry() {
    return retry;
  }

  /** Parses a complete stream. */
  public static SseParser parse(byte[] bytes) {
    SseParser parser = new SseParser();
    parser.feed(bytes);
    return parser;
  }
}
