package ssecluster.history;

import ssecluster.namespace.InvalidNamespaceException;
import ssecluster.namespace.Namespace;

import java.util.HashMap;
import java.util.Map;

/**
 * A stream's position, read back from the id it sent last ({@code Last-Event-ID}). The grammar, written by
 * {@link Frontier}:
 * <pre>
 *   id       = newest *( "~" entry )
 *   newest   = 1*19DIGIT                  ; a sequence: microseconds, unique and rising within a namespace
 *   entry    = name [ ":" delta ]         ; that namespace was delivered up to newest - delta (base 36, 0 if absent)
 *            / "*:" delta                 ; every namespace not named: up to newest - delta
 *   name     = namespace / "."            ; "." is the root
 * </pre>
 * Positions: a named namespace is where its entry says. When no entry is at {@code newest} (delta 0), the
 * namespace that holds the message with sequence {@code newest} is at {@code newest}: it is found in history
 * when the stream resumes ({@link ResumePlan}). So a stream that hears one namespace at a time sends the
 * messages' own ids. Every other namespace is at {@code newest} minus {@link #WINDOW_MICROS}, unless a
 * {@code *} entry says otherwise: a namespace none of whose messages reached the stream in that window has had
 * all older ones delivered (no message is that long in flight).
 */
public final class StreamPosition {

  /** How far back a namespace that the id does not name is taken to be complete. */
  public static final long WINDOW_MICROS = 10_000_000L;
  /** Longer ids are not read (a browser sends what it was given; nothing we send comes near). */
  public static final int MAX_LENGTH = 4096;
  public static final String EARLIEST = "earliest";
  static final String ROOT_NAME = ".";
  static final String OTHERS = "*";

  private enum Kind { EARLIEST, AT, UNREADABLE }

  private final String text;
  private final Kind kind;
  private final long newest;
  private final Map<Namespace, Long> named;
  private final boolean eventNamed;
  private final long others;

  private StreamPosition(String text, Kind kind, long newest, Map<Namespace, Long> named, boolean eventNamed, long others) {
    this.text = text;
    this.kind = kind;
    this.newest = newest;
    this.named = named;
    this.eventNamed = eventNamed;
    this.others = others;
  }

  /** Reads an id as a client sent it; never fails: an id it cannot read is {@link #isReadable() unreadable}. */
  public static StreamPosition parse(String text) {
    if (text.equalsIgnoreCase(EARLIEST)) {
      return new StreamPosition(text, Kind.EARLIEST, 0, Map.of(), false, 0);
    }
    StreamPosition unreadable = new StreamPosition(text, Kind.UNREADABLE, 0, Map.of(), false, 0);
    if (text.isEmpty() || text.length() > MAX_LENGTH) {
      return unreadable;
    }
    String[] parts = text.split("~", -1);
    long newest = parseNewest(parts[0]);
    if (newest <= 0) {
      return unreadable;
    }
    Map<Namespace, Long> named = new HashMap<>();
    boolean eventNamed = false;
    long others = Math.max(0, newest - WINDOW_MICROS);
    for (int i = 1; i < parts.length; i++) {
      String entry = parts[i];
      int colon = entry.indexOf(':');
      String name = colon < 0 ? entry : entry.substring(0, colon);
      long delta;
      try {
        delta = colon < 0 ? 0 : Long.parseLong(entry.substring(colon + 1), 36);
      } catch (NumberFormatException e) {
        return unreadable;
      }
      if (delta < 0 || delta > newest || name.isEmpty()) {
        return unreadable;
      }
      eventNamed |= delta == 0;
      if (name.equals(OTHERS)) {
        others = newest - delta;
        continue;
      }
      try {
        named.put(name.equals(ROOT_NAME) ? Namespace.ROOT : Namespace.parse(name), newest - delta);
      } catch (InvalidNamespaceException e) {
        return unreadable;
      }
    }
    return new StreamPosition(text, Kind.AT, newest, Map.copyOf(named), eventNamed, others);
  }

  private static long parseNewest(String digits) {
    if (digits.isEmpty() || digits.length() > 19) {
      return -1;
    }
    for (int i = 0; i < digits.length(); i++) {
      if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
        return -1;
      }
    }
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  public boolean isEarliest() {
    return kind == Kind.EARLIEST;
  }

  /** False for text that is not an id of this service (or was cut short). */
  public boolean isReadable() {
    return kind != Kind.UNREADABLE;
  }

  /** The newest sequence the id names; 0 for {@code earliest} and unreadable ids. */
  public long newest() {
    return newest;
  }

  public String text() {
    return text;
  }

  /**
   * Where each namespace resumes, before the one at {@link #newest} is known: after these sequences. History is
   * read from here; {@link ResumePlan} then places the namespace that holds {@code newest} (when
   * {@link #newestUnnamed()}).
   */
  public ReadFrom readFrom() {
    if (kind != Kind.AT) {
      return ReadFrom.EARLIEST;
    }
    Map<String, Long> positions = new HashMap<>();
    named.forEach((namespace, seq) -> positions.put(namespace.name(), seq));
    return new ReadFrom(Map.copyOf(positions), others);
  }

  /** True when the id names no namespace at {@code newest}: the one holding that message is there. */
  public boolean newestUnnamed() {
    return kind == Kind.AT && !eventNamed;
  }

  @Override
  public String toString() {
    return text;
  }
}
