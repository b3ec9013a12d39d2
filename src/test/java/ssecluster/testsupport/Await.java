package ssecluster.testsupport;

import io.vertx.core.Future;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** Blocking waits from the test thread, on Vert.x futures or on conditions, with messages that say what was awaited. */
public final class Await {

  private Await() {
  }

  public static <T> T result(Future<T> future, Duration timeout, String what) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("timed out after " + timeout + " waiting for " + what);
    } catch (ExecutionException e) {
      throw new AssertionError("failed waiting for " + what + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what, e);
    }
  }

  /** Waits for the future to fail and returns why; fails the test if it succeeds. */
  public static Throwable failure(Future<?> future, Duration timeout, String what) {
    try {
      Object value = future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("expected " + what + " to fail, but it gave " + value);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("timed out after " + timeout + " waiting for " + what);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what, e);
    }
  }

  /** Polls until the condition holds; fails the test, naming what it waited for, after the timeout. */
  public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + ", waiting: " + what);
      }
      Thread.sleep(20);
    }
  }
}
