package ssecluster.bus;

/** A publish that could not be taken now (history unreachable or far behind); the publisher may try again. */
public class PublishUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public PublishUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
