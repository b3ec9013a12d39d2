package ssecluster.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import ssecluster.namespace.Namespace;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * What a publisher asks for: a namespace, an optional event name and the data. Every entry point (HTTP,
 * event bus, Redis) turns its input into one of these and hands it to the {@link Publisher}.
 */
public record Publication(Namespace namespace, String event, String data) {

  public Publication {
    event = EventName.check(event);
    if (data == null) {
      throw new PublishRejectedException("no data");
    }
  }

  /**
   * Reads an event-bus body: a string is the data; a JSON object is {@code {"event": ..., "data": ...}}
   * where a non-string data is sent as its JSON text; a buffer must be UTF-8 text.
   */
  public static Publication fromBusBody(Namespace namespace, Object body) {
    if (body instanceof String text) {
      return new Publication(namespace, null, text);
    }
    if (body instanceof JsonObject json) {
      Object event = json.getValue("event");
      if (event != null && !(event instanceof String)) {
        throw new PublishRejectedException("\"event\" must be a string");
      }
      if (!json.containsKey("data")) {
        throw new PublishRejectedException("JSON body has no \"data\"");
      }
      Object data = json.getValue("data");
      String text = data instanceof String s ? s : Json.encode(data);
      return new Publication(namespace, (String) event, text);
    }
    if (body instanceof Buffer buffer) {
      return new Publication(namespace, null, decodeUtf8(buffer.getBytes()));
    }
    throw new PublishRejectedException("body must be a string, a JSON object or UTF-8 bytes, not "
        + (body == null ? "null" : body.getClass().getSimpleName()));
  }

  /** Strict UTF-8: malformed input is rejected, never replaced with U+FFFD behind the publisher's back. */
  public static String decodeUtf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new PublishRejectedException("data is not valid UTF-8");
    }
  }
}
