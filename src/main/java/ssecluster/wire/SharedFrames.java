package ssecluster.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * One or more SSE event frames about to be written to many streams of one event loop. Besides the SSE
 * bytes it carries their HTTP/1.1 chunk encoding, made once on first use and shared by every HTTP/1.1
 * stream, in direct memory so the socket write needs no copy. Confined to one event loop; call
 * {@link #release()} when every stream has been served.
 */
public final class SharedFrames {

  private final Buffer sse;
  private final int events;
  private ByteBuf http1Chunk;

  /** {@code events} frames joined in {@code sse}. */
  public SharedFrames(Buffer sse, int events) {
    this.sse = sse;
    this.events = events;
  }

  public Buffer sse() {
    return sse;
  }

  public int events() {
    return events;
  }

  /** The frames as one HTTP/1.1 chunk ({@code <hex length>\r\n<bytes>\r\n}); owned by this object. */
  ByteBuf http1Chunk() {
    if (http1Chunk == null) {
      http1Chunk = encodeChunk(sse);
    }
    return http1Chunk;
  }

  /** A new direct buffer holding {@code bytes} as one HTTP/1.1 chunk; the caller owns it. */
  static ByteBuf encodeChunk(Buffer bytes) {
    byte[] header = (Integer.toHexString(bytes.length()) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    ByteBuf chunk = Unpooled.directBuffer(header.length + bytes.length() + 2);
    chunk.writeBytes(header);
    chunk.writeBytes(bytes.getBytes());
    chunk.writeByte('\r').writeByte('\n');
    return chunk;
  }

  public void release() {
    if (http1Chunk != null) {
      http1Chunk.release();
      http1Chunk = null;
    }
  }
}
