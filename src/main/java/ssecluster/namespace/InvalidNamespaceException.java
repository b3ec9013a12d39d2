package ssecluster.namespace;

/** A namespace that breaks the naming rules; the message says which rule, for HTTP 400 bodies and logs. */
public class InvalidNamespaceException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public InvalidNamespaceException(String input, String reason) {
    super("invalid namespace '" + abbreviate(input) + "': " + reason);
  }

  private InvalidNamespaceException(String message) {
    super(message);
  }

  /** A stream (or WebSocket) that asks for more namespaces than one may carry. */
  public static InvalidNamespaceException tooMany(int limit) {
    return new InvalidNamespaceException("too many namespaces: one stream may carry at most " + limit
        + " (use a common parent namespace, or several streams)");
  }

  private static String abbreviate(String input) {
    String s = String.valueOf(input);
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }
}
