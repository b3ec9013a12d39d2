package ssecluster.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;

/**
 * The one place in this package that changes the Netty pipeline Vert.x builds for a server connection, for
 * two things Vert.x 5's public API cannot do. Called from the server's connection handler, which runs on the
 * connection's event loop: on the plain port (HTTP/1.1 and h2c) once the first request head is decoded (Vert.x
 * must see it to know whether it asks for h2c), or once the h2c preface arrived; on the TLS port once the
 * handshake is done.
 * <ul>
 *   <li>Request lines of a later HTTP/1 minor version ({@code HTTP/1.2}) are read as HTTP/1.1, as RFC 9112
 *   (2.3) asks and nginx does; Vert.x would answer them with a 501 that names the client's version in its
 *   status line, which clients cannot read. Other major versions get a 505 (as from nginx), through the
 *   server's invalid-request handler.</li>
 *   <li>Vert.x's idle timeout (Netty's {@link IdleStateHandler}) is taken off the connection. It is set (as a
 *   write-idle timeout, see HttpServerVerticle) only to bound the time before the connection handler runs,
 *   which nothing else can: the server writes nothing before a request, so it closes a connection that has
 *   not completed its first request head in time, however slowly the client trickles bytes. From here on
 *   {@link ConnectionDeadlines} bounds the connection, request by request. The idle handler would be wrong
 *   for event streams: direct writes (wire.Http1ChunkWriter) enter the pipeline below it on transports
 *   without a ChunkedWriteHandler (epoll, NIO), so a stream sending keepalives would look idle and be cut.</li>
 * </ul>
 */
final class ConnectionPipeline {

  /** The names Vert.x 5 gives its HTTP/1.x request decoder and its own (last) handler in the pipeline. */
  private static final String DECODER = "httpDecoder";
  private static final String VERTX_HANDLER = "handler";
  private static final VersionGate VERSION_GATE = new VersionGate();

  /** The decoder failure that makes Vert.x hand a request to the invalid-request handler, which answers 505. */
  static final class UnsupportedVersion extends RuntimeException {
    private final String version;

    UnsupportedVersion(String version) {
      super("HTTP version " + version + " is not supported", null, false, false);
      this.version = version;
    }

    String version() {
      return version;
    }
  }

  private ConnectionPipeline() {
  }

  /** Adjusts a new server connection; does nothing when the pipeline is not the one this class knows. */
  static void adjust(HttpConnection connection) {
    if (!(connection instanceof HttpServerConnection server)) {
      return;
    }
    ChannelPipeline pipeline = server.channelHandlerContext().pipeline();
    IdleStateHandler idle = pipeline.get(IdleStateHandler.class);
    if (idle != null) {
      pipeline.remove(idle);
    }
    if (pipeline.get(DECODER) != null && pipeline.get(VERTX_HANDLER) != null && pipeline.get(VersionGate.class) == null) {
      // Right in front of Vert.x's handler: on the plain port the first request head is decoded already
      // (Vert.x calls the connection handler only then) and on its way there.
      pipeline.addBefore(VERTX_HANDLER, null, VERSION_GATE);
    }
  }

  /** Reads HTTP/1.x (x > 1) as HTTP/1.1 and marks other versions as failures of the decoder; keeps no state. */
  @ChannelHandler.Sharable
  private static final class VersionGate extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest request && request.decoderResult().isSuccess()) {
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() == 1 && version.minorVersion() > 1) {
          request.setProtocolVersion(HttpVersion.HTTP_1_1);
        } else if (version.majorVersion() != 1) {
          request.setProtocolVersion(HttpVersion.HTTP_1_1);   // the answer's status line is HTTP/1.1
          request.setDecoderResult(DecoderResult.failure(new UnsupportedVersion(version.text())));
        }
      }
      ctx.fireChannelRead(msg);
    }
  }
}
