package ssecluster.bus;

/** Rules for the optional SSE {@code event:} name: short, printable, one line. */
public final class EventName {

  public static final int MAX_LENGTH = 128;

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
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new PublishRejectedException("event name must not contain control characters or line breaks");
      }
    }
    return name;
  }
}
