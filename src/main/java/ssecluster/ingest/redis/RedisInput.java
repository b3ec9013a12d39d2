package ssecluster.ingest.redis;

import io.vertx.core.buffer.Buffer;
import ssecluster.bus.Publication;
import ssecluster.bus.PublishRejectedException;
import ssecluster.namespace.Namespace;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Turns what Redis hands us into a {@link Publication}, or says exactly why not (the message of the
 * {@link IllegalArgumentException}, which ends up in the log and in the dead-letter entry).
 */
final class RedisInput {

  private RedisInput() {
  }

  /** {@code PUBLISH channel payload}: the channel is the namespace, the payload the data. */
  static Publication pubsubMessage(String channel, byte[] payload, int maxDataBytes) {
    Namespace namespace = Namespace.parse(channel);
    if (namespace.isRoot()) {
      throw new PublishRejectedException("empty channel name");
    }
    return new Publication(namespace, null, data(payload, maxDataBytes));
  }

  /** A stream entry: fields {@code ns} and {@code data} required, {@code event} optional, others ignored. */
  static Publication streamEntry(List<Map.Entry<String, Buffer>> fields, int maxDataBytes) {
    Buffer ns = field(fields, "ns");
    Buffer data = field(fields, "data");
    if (ns == null) {
      throw new PublishRejectedException("entry has no 'ns' field");
    }
    if (data == null) {
      throw new PublishRejectedException("entry has no 'data' field");
    }
    Buffer event = field(fields, "event");
    Namespace namespace = Namespace.parse(Publication.decodeUtf8(ns.getBytes()));
    return new Publication(namespace, event == null ? null : Publication.decodeUtf8(event.getBytes()),
        data(data.getBytes(), maxDataBytes));
  }

  private static String data(byte[] bytes, int maxDataBytes) {
    // Checked before decoding so an oversized payload costs no decoding work.
    if (bytes.length > maxDataBytes) {
      throw new PublishRejectedException("data is " + bytes.length + " bytes, larger than the limit of " + maxDataBytes);
    }
    return Publication.decodeUtf8(bytes);
  }

  private static Buffer field(List<Map.Entry<String, Buffer>> fields, String name) {
    for (Map.Entry<String, Buffer> field : fields) {
      if (field.getKey().equals(name)) {
        return field.getValue();
      }
    }
    return null;
  }

  /** For log lines: a Redis name that may hold any bytes, shown safely and briefly. */
  static String printable(String name) {
    String shown = name.length() > 80 ? name.substring(0, 80) + "..." : name;
    StringBuilder out = new StringBuilder();
    for (char c : shown.toCharArray()) {
      out.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return out.toString();
  }

  static String lenient(Buffer bytes) {
    return new String(bytes.getBytes(), StandardCharsets.UTF_8);
  }
}
