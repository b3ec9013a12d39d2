package ssecluster.wire;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * Where the fan-out writes one client's events: an SSE response ({@link SseStream}), or any other transport.
 * All methods run on the client's event loop. A sink applies its own back-pressure: a client that falls too
 * far behind is closed by the sink, which then answers false.
 */
public interface StreamSink {

  /** Writes frames shared with other sinks of this loop, as they are; false when the sink is closed. */
  boolean send(SharedFrames frames);

  /** Writes frames of this sink's own ({@code events} of them, joined); false when the sink is closed. */
  boolean send(Buffer frames, int events);

  /** Completes when the sink can take more without queueing past its bound (at once if it can now). */
  Future<Void> writable();

  /** Periodic liveness (a comment line for SSE); false when the sink is closed or was just dropped. */
  boolean keepalive();

  boolean isClosed();

  /** Ends the stream cleanly: the client sees the end and reconnects. */
  void end();

  /** What /admin/status.json shows of this stream. */
  StreamStatus status();

  /** The protocol of the client's connection ({@code http/1.1}, {@code h2}), as {@link #status()} names it. */
  default String protocol() {
    return status().protocol();
  }
}
