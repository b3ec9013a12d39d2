package ssecluster.ingest.redis;

/** Short, readable descriptions of Redis failures for logs and /health. */
final class RedisErrors {

  private RedisErrors() {
  }

  static String describe(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
  }

  /** The group is gone: Redis restarted without its data, or someone deleted the stream. */
  static boolean isNoGroup(Throwable error) {
    return error.getMessage() != null && error.getMessage().startsWith("NOGROUP");
  }

  static boolean isBusyGroup(Throwable error) {
    return error.getMessage() != null && error.getMessage().startsWith("BUSYGROUP");
  }
}
