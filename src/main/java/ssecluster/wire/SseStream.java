package ssecluster.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.net.SocketAddress;
import ssecluster.namespace.Namespace;
import ssecluster.namespace.Subscription;

import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One open SSE response. All methods run on the connection's event loop. Frames are shared buffers,
 * written as they are. A client that stops reading is allowed a bounded lag, in time and in bytes written
 * while its queue was full; past either bound it is disconnected, so it can neither hold memory without
 * limit nor make anyone else wait.
 */
public final class SseStream implements StreamSink {

  /** The lag a client may build up before it is disconnected. */
  public record SlowClientPolicy(long maxLagMillis, long maxLagBytes) {
  }

  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private final Subscription subscription;
  private final SlowClientPolicy policy;
  private final boolean directWrites;
  private final long openedAtMillis = System.currentTimeMillis();
  /** Set on open for HTTP/1.x when direct writes are on; then every body write goes through it. */
  private Http1ChunkWriter chunkWriter;

  /** How often a direct-writing stream that waits to drain looks at its socket. */
  private static final long DRAIN_POLL_MILLIS = 5;

  /** How long a reset HTTP/2 stream may take to close before its whole connection is closed. */
  private static final long RESET_GRACE_MILLIS = 5_000;

  /** The keepalive comment as an HTTP/1.1 chunk, shared by all streams for the life of the process. */
  private static final ByteBuf KEEPALIVE_CHUNK = Unpooled.unreleasableBuffer(SharedFrames.encodeChunk(SseFrames.KEEPALIVE));

  private boolean open;
  private boolean closed;
  /** Waiting for the client to take what is queued (a replay in chunks); null when nobody waits. */
  private Promise<Void> drained;
  private long fullSinceNanos;
  private boolean lagging;
  private long bytesWhileFull;
  private long eventsSent;
  /** Kept for /admin/status.json after the request headers are cleared; shared between streams (see UserAgents). */
  private String userAgent = "";
  private BiConsumer<SseStream, String> onSlowDrop = (s, reason) -> { };

  public SseStream(HttpServerRequest request, Subscription subscription, SlowClientPolicy policy) {
    this(request, subscription, policy, false);
  }

  /**
   * With {@code directWrites}, an HTTP/1.x stream writes its events as shared, pre-encoded chunks straight
   * to the connection ({@link Http1ChunkWriter}) instead of through {@code HttpServerResponse.write}.
   */
  public SseStream(HttpServerRequest request, Subscription subscription, SlowClientPolicy policy, boolean directWrites) {
    this.request = request;
    this.response = request.response();
    this.subscription = subscription;
    this.policy = policy;
    this.directWrites = directWrites;
  }

  /** Sends the stream headers and the {@code retry:} field; from now on events flow. */
  public void open(long retryMillis) {
    if (closed || open) {
      return;
    }
    open = true;
    response.setStatusCode(200);
    if (request.version() != HttpVersion.HTTP_2) {
      response.setChunked(true);
    }
    response.putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    response.drainHandler(v -> {
      lagging = false;
      bytesWhileFull = 0;
      releaseWaiter();
    });
    response.write(SseFrames.retry(retryMillis));
    if (directWrites) {
      chunkWriter = Http1ChunkWriter.of(request);
    }
  }

  /** Writes several event frames joined in one buffer ({@code events} of them), as one write. */
  @Override
  public boolean send(Buffer frames, int events) {
    SharedFrames shared = new SharedFrames(frames, events);
    try {
      return send(shared);
    } finally {
      shared.release();
    }
  }

  /** Writes frames shared with other streams of this loop; the caller releases them afterwards. */
  @Override
  public boolean send(SharedFrames frames) {
    if (!open || closed) {
      return false;
    }
    if (writeQueueFull()) {
      if (lagBoundExceeded(frames.sse().length())) {
        return false;
      }
    } else {
      lagging = false;
    }
    if (chunkWriter != null) {
      chunkWriter.write(frames.http1Chunk());
    } else {
      response.write(frames.sse());
    }
    eventsSent += frames.events();
    return true;
  }

  private boolean writeQueueFull() {
    return chunkWriter != null ? chunkWriter.full() : response.writeQueueFull();
  }

  @Override
  public Future<Void> writable() {
    if (closed) {
      return Future.failedFuture("stream closed");
    }
    if (!writeQueueFull()) {
      return Future.succeededFuture();
    }
    if (drained == null) {
      drained = Promise.promise();
      if (chunkWriter != null) {
        // Direct writes bypass the response's queue, whose drain handler then never sees the socket drain:
        // look at the socket now and then instead (only a replay waits like this).
        Vertx owner = Vertx.currentContext().owner();
        owner.setPeriodic(DRAIN_POLL_MILLIS, timer -> {
          if (closed || !writeQueueFull()) {
            owner.cancelTimer(timer);
            releaseWaiter();
          }
        });
      }
    }
    return drained.future();
  }

  private void releaseWaiter() {
    if (drained != null) {
      Promise<Void> waiting = drained;
      drained = null;
      if (closed) {
        waiting.tryFail("stream closed");
      } else {
        waiting.tryComplete();
      }
    }
  }

  /** Periodic liveness: a comment line, or, for a client that is still not reading, the lag check. */
  @Override
  public boolean keepalive() {
    if (!open || closed) {
      return !closed;
    }
    if (writeQueueFull()) {
      return !lagBoundExceeded(0);
    }
    lagging = false;
    if (chunkWriter != null) {
      chunkWriter.write(KEEPALIVE_CHUNK);
    } else {
      response.write(SseFrames.KEEPALIVE);
    }
    return true;
  }

  private boolean lagBoundExceeded(int moreBytes) {
    long now = System.nanoTime();
    if (!lagging) {
      lagging = true;
      fullSinceNanos = now;
      bytesWhileFull = 0;
    }
    bytesWhileFull += moreBytes;
    long lagMillis = TimeUnit.NANOSECONDS.toMillis(now - fullSinceNanos);
    if (lagMillis > policy.maxLagMillis() || bytesWhileFull > policy.maxLagBytes()) {
      closed = true;
      releaseWaiter();
      onSlowDrop.accept(this, lagMillis > policy.maxLagMillis()
          ? "write queue full for " + lagMillis + " ms (bound " + policy.maxLagMillis() + " ms)"
          : bytesWhileFull + " bytes queued while its write queue was full (bound " + policy.maxLagBytes() + ")");
      abort();
      return true;
    }
    return false;
  }

  /** Called once, with the reason, when this stream is dropped for lagging (for counting and logging). */
  public void onSlowDrop(BiConsumer<SseStream, String> handler) {
    this.onSlowDrop = handler;
  }

  /** Ends the stream cleanly (node shutdown): the client sees the end and reconnects elsewhere. */
  @Override
  public void end() {
    if (closed) {
      return;
    }
    closed = true;
    releaseWaiter();
    if (!response.ended() && !response.closed()) {
      response.end();
    }
  }

  /** Marks the stream closed after the client went away. */
  public void markClosed() {
    closed = true;
    releaseWaiter();
  }

  /**
   * Disconnects a client that fell too far behind. Not at once: closing can run the response's close
   * handler on the spot, which would take this stream out of the set the fan-out is iterating over.
   */
  private void abort() {
    Context context = Vertx.currentContext();   // the connection's event loop, as for every method here
    context.runOnContext(v -> {
      if (request.version() == HttpVersion.HTTP_2) {
        // Reset only this stream: the client's other streams on the same connection stay up. Should the
        // whole connection be stalled, the reset cannot go out either; then the connection goes.
        response.reset();
        context.owner().setTimer(RESET_GRACE_MILLIS, id -> {
          if (!response.closed()) {
            closeNow(request.connection());
          }
        });
      } else {
        closeNow(request.connection());
      }
    });
  }

  /**
   * Closes the connection now, dropping what is still queued for it. Vert.x's own close first writes out
   * everything queued, which a client that stopped reading never lets happen: the socket and up to the lag
   * bound of queued bytes would stay forever.
   */
  private static void closeNow(HttpConnection connection) {
    if (connection instanceof HttpServerConnection server) {
      discardUnsentOnClose(server.channelHandlerContext().channel());
      // Closing from Vert.x's handler context skips that handler's flush-then-close.
      server.channelHandlerContext().close();
    } else {
      connection.close();
    }
  }

  /**
   * SO_LINGER 0 on a dropped client's socket: its close then discards what is still in the kernel's send
   * buffer and resets the connection. Otherwise the kernel keeps the socket (FIN-WAIT-1) and up to megabytes
   * of unsent bytes for as long as the client keeps its end open without reading. Vert.x's public API sets
   * SO_LINGER only for a whole server (HttpServerOptions#setSoLinger), which would reset every normal close
   * as well, so it is set here, on the one channel, where this class already reaches Netty.
   */
  private static void discardUnsentOnClose(Channel channel) {
    channel.config().setOption(ChannelOption.SO_LINGER, 0);
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  public Subscription subscription() {
    return subscription;
  }

  public long eventsSent() {
    return eventsSent;
  }

  public long openedAtMillis() {
    return openedAtMillis;
  }

  /** Call on the stream's event loop (its counters are confined to it). */
  @Override
  public StreamStatus status() {
    SocketAddress remote = request.remoteAddress();
    return new StreamStatus(request.uri(), subscription.namespaces().stream().map(Namespace::name).toList(),
        remote == null ? "" : remote.hostAddress() + ":" + remote.port(), userAgent,
        request.version().alpnName(), openedAtMillis, eventsSent);
  }

  @Override
  public String protocol() {
    return request.version().alpnName();
  }

  public void userAgent(String userAgent) {
    this.userAgent = userAgent;
  }

  /** For logs: the path and namespaces, never the client's address (personal data, see /admin/status.json). */
  public String describe() {
    return request.path() + " " + subscription;
  }
}
