package ssecluster.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;

/**
 * Keeps a busy HTTP/2 connection from stalling for good. Two flaws of Vert.x 5.0.10 on Netty 4.2.18 each
 * froze a connection carrying many streams once it had been over its write-buffer high-water mark, as a
 * burst of streams or an event fanned out to all of them makes it (BENCHMARKS.md, 2026-12-04):
 * <ul>
 *   <li>Vert.x writes a response's HEADERS frame without a flush when a body follows, counting on the body's
 *   write to flush; but a stream that is not writable queues its body until the connection is writable
 *   again. Heads left unflushed count as buffered bytes: past the low-water mark (32 KiB, some 150 heads)
 *   the connection never becomes writable again, so the bodies stay queued and nothing flushes. Here a
 *   write made while the connection is not writable schedules a flush, once per event-loop task.</li>
 *   <li>Vert.x writes a stream's queued frames from inside Netty's stream-writability callback; a write
 *   that flips the connection's writability there re-enters Netty's check of all streams, which can end
 *   with streams still marked unwritable on a writable connection. Nothing re-checks them, so their frames
 *   wait forever. Here, after the connection turns writable, every stream's writability is checked anew,
 *   outside any callback.</li>
 * </ul>
 * io_uring reaches the high-water mark even with a fast client: a write it submitted leaves the buffer only
 * when its completion is handled, after the current event-loop turn. The guard sits just below Vert.x's
 * HTTP/2 handler and costs a writability check per write. Uses Vert.x internals (the connection's Netty
 * pipeline): no public API reaches this level.
 */
final class Http2StallGuard extends ChannelDuplexHandler {

  static final String NAME = "sseHttp2StallGuard";

  private final Http2ConnectionHandler http2;
  private ChannelHandlerContext context;
  private boolean unflushed;
  private boolean flushScheduled;
  private boolean recheckScheduled;
  private final Runnable flushLeftovers = this::flushLeftovers;
  private final Runnable recheckStreams = this::recheckStreams;

  private Http2StallGuard(Http2ConnectionHandler http2) {
    this.http2 = http2;
  }

  /** Adds a guard to an HTTP/2 server connection; other connections are left as they are. */
  static void install(HttpConnection connection) {
    if (connection instanceof HttpServerConnection server) {
      ChannelHandlerContext handler = server.channelHandlerContext();
      if (handler.handler() instanceof Http2ConnectionHandler http2 && handler.pipeline().get(NAME) == null) {
        handler.pipeline().addBefore(handler.name(), NAME, new Http2StallGuard(http2));
      }
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    ctx.write(msg, promise);
    unflushed = true;
    if (!flushScheduled && !ctx.channel().isWritable()) {
      flushScheduled = true;
      ctx.executor().execute(flushLeftovers);
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    unflushed = false;
    ctx.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    ctx.fireChannelWritabilityChanged();
    if (!recheckScheduled && ctx.channel().isWritable()) {
      recheckScheduled = true;
      ctx.executor().execute(recheckStreams);
    }
  }

  /** Runs after the task that wrote: whatever it left unflushed goes out now. */
  private void flushLeftovers() {
    flushScheduled = false;
    if (unflushed) {
      unflushed = false;
      context.flush();
    }
  }

  /**
   * Netty re-checks every stream's writability when the peer's initial window size is set; setting it to
   * the value it has changes no window and is the one public way to ask for that check.
   */
  private void recheckStreams() {
    recheckScheduled = false;
    if (context.channel().isActive() && context.channel().isWritable()) {
      Http2RemoteFlowController flow = http2.encoder().flowController();
      try {
        flow.initialWindowSize(flow.initialWindowSize());
      } catch (Http2Exception e) {
        context.fireExceptionCaught(e);
      }
    }
  }
}
