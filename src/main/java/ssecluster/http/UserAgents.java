package ssecluster.http;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One shared String per distinct User-Agent, so that thousands of streams from the same browsers keep one
 * copy between them (a stream keeps its user agent for /admin/status.json after its headers are cleared).
 * Bounded: past {@link #MAX_DISTINCT} distinct values a stream keeps its own (truncated) copy.
 */
final class UserAgents {

  static final int MAX_DISTINCT = 1024;
  static final int MAX_LENGTH = 256;

  private final ConcurrentHashMap<String, String> shared = new ConcurrentHashMap<>();

  String of(String header) {
    if (header == null || header.isEmpty()) {
      return "";
    }
    String value = header.length() > MAX_LENGTH ? header.substring(0, MAX_LENGTH) : header;
    String known = shared.get(value);
    if (known != null) {
      return known;
    }
    if (shared.size() >= MAX_DISTINCT) {
      return value;
    }
    String previous = shared.putIfAbsent(value, value);
    return previous != null ? previous : value;
  }
}
