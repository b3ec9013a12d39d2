package ssecluster.ingest.redis;

import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Response;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One stream entry as read with XREADGROUP or XAUTOCLAIM. {@code fields} is null when the entry was
 * deleted (trimmed) while it was pending: Redis still reports its id so that it can be acknowledged.
 */
record StreamEntry(String id, List<Map.Entry<String, Buffer>> fields) {

  /**
   * Entries of an XREADGROUP reply for one stream: {@code null} on timeout, a map {@code {key: entries}}
   * under RESP3, an array {@code [[key, entries]]} under RESP2.
   */
  static List<StreamEntry> fromReadGroup(Response reply) {
    List<StreamEntry> entries = new ArrayList<>();
    if (reply == null) {
      return entries;
    }
    if (reply.isMap()) {
      for (String key : reply.getKeys()) {
        addAll(reply.get(key), entries);
      }
    } else {
      for (Response stream : reply) {
        addAll(stream.get(1), entries);
      }
    }
    return entries;
  }

  /** Entries of an XAUTOCLAIM reply {@code [next cursor, entries, deleted ids (Redis 7+)]}. */
  static List<StreamEntry> fromAutoClaim(Response reply) {
    List<StreamEntry> entries = new ArrayList<>();
    addAll(reply.get(1), entries);
    if (reply.size() > 2 && reply.get(2) != null) {
      // Redis 7 lists entries deleted while pending separately and drops them from the pending list itself.
      for (Response id : reply.get(2)) {
        entries.add(new StreamEntry(id.toString(), null));
      }
    }
    return entries;
  }

  /**
   * Entries of an XAUTOCLAIM reply that Redis 6.2 answers as a bare null: deleted (trimmed) while pending.
   * It still moves them to the claiming consumer, but without their ids, so they can only be found, and
   * acknowledged, among that consumer's own pending entries.
   */
  static int unnamedDeletions(Response autoClaimReply) {
    Response list = autoClaimReply.get(1);
    int count = 0;
    if (list != null) {
      for (Response entry : list) {
        if (entry == null) {
          count++;
        }
      }
    }
    return count;
  }

  static String autoClaimCursor(Response reply) {
    return reply.get(0).toString();
  }

  private static void addAll(Response list, List<StreamEntry> into) {
    if (list == null) {
      return;
    }
    for (Response entry : list) {
      if (entry == null) {
        continue;
      }
      Response values = entry.size() > 1 ? entry.get(1) : null;
      List<Map.Entry<String, Buffer>> fields = null;
      if (values != null) {
        fields = new ArrayList<>();
        for (int i = 0; i + 1 < values.size(); i += 2) {
          Response value = values.get(i + 1);
          fields.add(new AbstractMap.SimpleImmutableEntry<>(values.get(i).toString(),
              value == null ? null : value.toBuffer()));
        }
      }
      into.add(new StreamEntry(entry.get(0).toString(), fields));
    }
  }
}
