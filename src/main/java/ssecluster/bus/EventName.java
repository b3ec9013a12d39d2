package ssecluster.bus;

/**
 * Rules for the optional SSE {@code event:} name: short, printable, one line, and not one of the service's
 * own ({@code sse-gap} and any other name starting with {@link #RESERVED_PREFIX}, in any case).
 */
public final class EventName {

  public static final int MAX_LENGTH = 128;
  /** Event names of the service itself, which clients must be able to trust. */
  public static final String RESERVED_PREFIX = "sse-";

  private EventName() {
  }

  /** Returns null for "no name" (null or empty), the name itself when valid; throws otherwise. */
  public static String check(String name) {
    if (name == null || name.isEmpty()) {
      return null;
    }
    if (name.length() > MAX_LENGTH) {
      throw new PublishRejectedException("event name longer than " + MAX_LENGTH + " characters");
    }
    if (name.regionMatches(true, 0, RESERVED_PREFIX, 0, RESERVED_PREFIX.length())) {
      throw new PublishRejectedException("event names starting with '" + RESERVED_PREFIX
          + "' are reserved for the service (such as sse-gap)");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new PublishRejectedException("event name must not contain control characters or line breaks");
      }
    }
    return name;
  }
}
