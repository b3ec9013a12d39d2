package ssecluster.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.impl.HttpServerConnection;

/**
 * Writes already chunk-encoded bytes of a chunked HTTP/1.1 response straight into the connection's Netty
 * pipeline, just below Vert.x's HTTP encoder (TLS, if any, still applies). A fan-out writes the same
 * event to thousands of responses; going through {@code HttpServerResponse.write} costs, per write, a
 * promise, a message object, Vert.x's outbound queue and the encoder's chunk framing (a fresh buffer for
 * the length line and a copy of heap bytes to direct memory). Here the chunk is encoded once per event
 * and each write is a reference-counted view of it. Must be used on the connection's event loop, after
 * the response head was written through Vert.x, and for all later body writes of that response (mixing
 * in Vert.x writes could reorder bytes). Uses Vert.x internals (the connection's pipeline), hence a
 * setting to turn it off: {@code --direct-writes false}.
 */
final class Http1ChunkWriter {

  /** The name Vert.x 5 gives its HTTP/1.x response encoder in the pipeline. */
  private static final String ENCODER = "httpEncoder";

  /** Writing through the encoder's own context starts at the handler below it: the encoder is skipped. */
  private final ChannelHandlerContext encoderContext;

  private Http1ChunkWriter(ChannelHandlerContext encoderContext) {
    this.encoderContext = encoderContext;
  }

  /** A writer for this request's connection, or null when not applicable (not HTTP/1.1, unknown pipeline). */
  static Http1ChunkWriter of(HttpServerRequest request) {
    // HTTP/2 has no chunks, and an HTTP/1.0 response is not chunked either (Vert.x sends its body as is).
    if (request.version() != HttpVersion.HTTP_1_1) {
      return null;
    }
    HttpConnection connection = request.connection();
    if (!(connection instanceof HttpServerConnection server)) {
      return null;
    }
    ChannelHandlerContext encoder = server.channelHandlerContext().pipeline().context(ENCODER);
    return encoder == null ? null : new Http1ChunkWriter(encoder);
  }

  /** True while Netty's outbound buffer for the socket is above its high-water mark. */
  boolean full() {
    return !encoderContext.channel().isWritable();
  }

  /** Writes and flushes a view of a shared chunk; the caller keeps its own reference. */
  void write(ByteBuf sharedChunk) {
    if (encoderContext.channel().isActive()) {
      encoderContext.writeAndFlush(sharedChunk.retainedDuplicate(), encoderContext.voidPromise());
    }
  }
}
