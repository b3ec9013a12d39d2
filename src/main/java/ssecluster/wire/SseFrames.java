package ssecluster.wire;

import io.vertx.core.buffer.Buffer;

/**
 * Encodes the text/event-stream wire format. Every payload line becomes its own {@code data:} field, split
 * on {@code \r\n}, {@code \r} and {@code \n} alike, so no payload can end an event early or smuggle in an
 * {@code id:}, {@code event:} or {@code retry:} field. Frames are encoded once per message and the same
 * bytes are written to every connection.
 */
public final class SseFrames {

  /** A comment line: keeps proxies and clients from timing the stream out; EventSource ignores it. */
  public static final Buffer KEEPALIVE = Buffer.buffer(":keepalive\n\n");

  private SseFrames() {
  }

  /** The frame that opens a stream: tells EventSource how long to wait before reconnecting. */
  public static Buffer retry(long millis) {
    return Buffer.buffer("retry: " + millis + "\n\n");
  }

  /**
   * One event. {@code event} may be null (an unnamed "message" event); {@code id} and {@code event} must
   * not hold line breaks or NUL (callers validate names; see {@link #checkField}).
   */
  public static Buffer event(String id, String event, String data) {
    StringBuilder out = new StringBuilder(data.length() + 64);
    if (id != null) {
      checkField("id", id);
      out.append("id: ").append(id).append('\n');
    }
    if (event != null) {
      checkField("event", event);
      out.append("event: ").append(event).append('\n');
    }
    appendData(out, data);
    out.append('\n');
    return Buffer.buffer(out.toString());
  }

  /**
   * The same event frame under another id: a frame made by {@link #event} with an id, whose first line (the
   * id) is replaced; the rest of its bytes are copied as they are.
   */
  public static Buffer withId(Buffer frame, String id) {
    checkField("id", id);
    int bodyStart = 0;
    while (bodyStart < frame.length() && frame.getByte(bodyStart) != '\n') {
      bodyStart++;
    }
    bodyStart++;
    Buffer out = Buffer.buffer(id.length() + 5 + frame.length() - bodyStart);
    out.appendString("id: ").appendString(id).appendByte((byte) '\n');
    out.appendBuffer(frame, bodyStart, frame.length() - bodyStart);
    return out;
  }

  /** An event of the service itself ({@code sse-gap}): named, without an id, so it moves no client's position. */
  public static Buffer serviceEvent(String event, String data) {
    return event(null, event, data);
  }

  private static void appendData(StringBuilder out, String data) {
    int lineStart = 0;
    int length = data.length();
    for (int i = 0; i < length; i++) {
      char c = data.charAt(i);
      if (c == '\n' || c == '\r') {
        out.append("data: ").append(data, lineStart, i).append('\n');
        if (c == '\r' && i + 1 < length && data.charAt(i + 1) == '\n') {
          i++;
        }
        lineStart = i + 1;
      }
    }
    out.append("data: ").append(data, lineStart, length).append('\n');
  }

  /** Rejects values that would break out of a single-line field. */
  public static void checkField(String field, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\n' || c == '\r' || c == '\0') {
        throw new IllegalArgumentException(field + " must not contain line breaks or NUL");
      }
    }
  }
}
