package ssecluster.ingest.postgres;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import ssecluster.bus.Publication;
import ssecluster.bus.PublishRejectedException;
import ssecluster.namespace.Namespace;

import java.nio.charset.StandardCharsets;

/**
 * Turns what PostgreSQL hands us into a {@link Publication}, or says exactly why not (the message of the
 * {@link IllegalArgumentException}, which ends up in the log and in the dead-letter row).
 */
final class PostgresInput {

  private PostgresInput() {
  }

  /**
   * A NOTIFY payload: JSON {@code {"ns": "products.42", "event": "product-update", "data": ...}}, {@code event}
   * optional, a non-string {@code data} sent as its JSON text.
   */
  static Publication notification(String payload, int maxDataBytes) {
    JsonObject json;
    try {
      json = new JsonObject(payload);
    } catch (DecodeException | ClassCastException notAnObject) {
      throw new PublishRejectedException("payload is not a JSON object");
    }
    Object ns = json.getValue("ns");
    if (!(ns instanceof String name)) {
      throw new PublishRejectedException(ns == null ? "payload has no \"ns\"" : "\"ns\" must be a string");
    }
    Publication publication = Publication.fromBusBody(namespace(name), json);
    checkSize(publication.data(), maxDataBytes);
    return publication;
  }

  /** An outbox row's columns; {@code event} may be null. */
  static Publication outboxRow(String ns, String event, String data, int maxDataBytes) {
    if (ns == null) {
      throw new PublishRejectedException("row has no ns");
    }
    if (data == null) {
      throw new PublishRejectedException("row has no data");
    }
    checkSize(data, maxDataBytes);
    return new Publication(namespace(ns), event, data);
  }

  private static Namespace namespace(String name) {
    Namespace namespace = Namespace.parse(name);
    if (namespace.isRoot()) {
      throw new PublishRejectedException("empty namespace");
    }
    return namespace;
  }

  private static void checkSize(String data, int maxDataBytes) {
    int bytes = data.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxDataBytes) {
      throw new PublishRejectedException("data is " + bytes + " bytes, larger than the limit of " + maxDataBytes);
    }
  }

  /** For log lines: text that may hold anything, shown safely and briefly. */
  static String printable(String text) {
    if (text == null) {
      return "null";
    }
    String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
    StringBuilder out = new StringBuilder();
    for (char c : shown.toCharArray()) {
      out.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return out.toString();
  }
}
