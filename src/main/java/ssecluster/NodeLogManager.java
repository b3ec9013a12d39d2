package ssecluster;

import java.util.logging.LogManager;

/**
 * The JDK closes every log handler from a shutdown hook of its own, which runs at the same time as ours:
 * the lines saying the node ended its streams and left the cluster would be lost. This manager ignores
 * that one reset (it comes from the JDK's "Cleaner" hook thread); the process is exiting anyway, and our
 * hook flushes the handlers when it is done.
 */
public final class NodeLogManager extends LogManager {

  @Override
  public void reset() {
    if (!Thread.currentThread().getClass().getName().endsWith("LogManager$Cleaner")) {
      super.reset();
    }
  }
}
