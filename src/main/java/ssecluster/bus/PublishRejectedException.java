package ssecluster.bus;

/** A publish that breaks a rule (namespace, event name, size, encoding); the message is for the publisher. */
public class PublishRejectedException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public PublishRejectedException(String message) {
    super(message);
  }
}
