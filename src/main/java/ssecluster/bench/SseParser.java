package ssecluster.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Incremental text/event-stream parser, following the WHATWG dispatch rules closely enough to count
 * events exactly: bytes may arrive split anywhere (inside a field, inside a CRLF), lines end with
 * {@code \n}, {@code \r} or {@code \r\n}, a blank line dispatches the event, several {@code data:} lines join
 * with {@code \n}, one space after the colon is dropped, comment lines ({@code :keepalive}) are counted, not
 * dispatched, and a block with no {@code data} field dispatches nothing. Not thread-safe: one per connection.
 */
public final class SseParser {

  /** Receives each complete event. {@code id} and {@code event} are null when the block had none. */
  public interface Listener {
    void onEvent(String id, String event, String data);
  }

  private final Listener listener;
  private byte[] line = new byte[256];
  private int lineLength;
  private boolean lastWasCr;
  private boolean firstBytes = true;

  private String id;
  private String event;
  private StringBuilder data;
  private long comments;
  private long events;
  private long retryMillis = -1;

  public SseParser(Listener listener) {
    this.listener = listener;
  }

  /** Feeds the next bytes of the stream. */
  public void feed(byte[] bytes, int offset, int length) {
    int end = offset + length;
    for (int i = offset; i < end; i++) {
      byte b = bytes[i];
      if (lastWasCr) {
        lastWasCr = false;
        if (b == '\n') {
          continue; // second half of a CRLF already ended the line
        }
      }
      if (b == '\n' || b == '\r') {
        lastWasCr = b == '\r';
        endOfLine();
      } else {
        if (lineLength == line.length) {
          line = Arrays.copyOf(line, line.length * 2);
        }
        line[lineLength++] = b;
      }
    }
  }

  public void feed(byte[] bytes) {
    feed(bytes, 0, bytes.length);
  }

  private void endOfLine() {
    int start = 0;
    if (firstBytes) {
      firstBytes = false;
      // A UTF-8 BOM at the very start of the stream is ignored.
      if (lineLength >= 3 && (line[0] & 0xff) == 0xEF && (line[1] & 0xff) == 0xBB && (line[2] & 0xff) == 0xBF) {
        start = 3;
      }
    }
    int length = lineLength - start;
    lineLength = 0;
    if (length == 0) {
      dispatch();
      return;
    }
    if (line[start] == ':') {
      comments++;
      return;
    }
    int end = start + length;
    int colon = end;
    for (int i = start; i < end; i++) {
      if (line[i] == ':') {
        colon = i;
        break;
      }
    }
    int valueStart = Math.min(colon + 1, end);
    if (valueStart < end && line[valueStart] == ' ') {
      valueStart++;
    }
    // Field names compared as bytes: only the values we keep become strings.
    if (is("data", start, colon)) {
      String value = new String(line, valueStart, end - valueStart, StandardCharsets.UTF_8);
      if (data == null) {
        data = new StringBuilder(value.length());
      } else {
        data.append('\n');
      }
      data.append(value);
    } else if (is("id", start, colon)) {
      String value = new String(line, valueStart, end - valueStart, StandardCharsets.UTF_8);
      if (value.indexOf('\0') < 0) {
        id = value;
      }
    } else if (is("event", start, colon)) {
      event = new String(line, valueStart, end - valueStart, StandardCharsets.UTF_8);
    } else if (is("retry", start, colon)) {
      String value = new String(line, valueStart, end - valueStart, StandardCharsets.US_ASCII);
      if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
        try {
          retryMillis = Long.parseLong(value);
        } catch (NumberFormatException ignored) {
          // too large to matter
        }
      }
    }
    // unknown fields are ignored, as EventSource does
  }

  /** True when line[from, to) is exactly the ASCII field name. */
  private boolean is(String name, int from, int to) {
    if (to - from != name.length()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (line[from + i] != name.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private void dispatch() {
    if (data != null) {
      events++;
      listener.onEvent(id, event, data.toString());
    }
    // id persists (it is the "last event id"); event name and data are per block.
    event = null;
    data = null;
  }

  /** Comment lines seen (keepalives). */
  public long comments() {
    return comments;
  }

  /** Events dispatched. */
  public long events() {
    return events;
  }

  /** Last retry: value received, or -1. */
  public long retryMillis() {
    return retryMillis;
  }

  /** The last id: field seen (EventSource's "last event ID"), or null. */
  public String lastEventId() {
    return id;
  }
}
