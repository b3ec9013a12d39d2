package ssecluster.namespace;

/** A namespace that breaks the naming rules; the message says which rule, for HTTP 400 bodies and logs. */
public class InvalidNamespaceException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public InvalidNamespaceException(String input, String reason) {
    super("invalid namespace '" + abbreviate(input) + "': " + reason);
  }

  private static String abbreviate(String input) {
    String s = String.valueOf(input);
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }
}
