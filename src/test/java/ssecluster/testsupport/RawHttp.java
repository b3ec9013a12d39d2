package ssecluster.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.x client over a plain {@link Socket} that sends exactly the bytes it is given: for requests no
 * real client would send (two Host headers, odd versions, trickled heads, bodies that never end) and for
 * seeing when the server closes its end.
 */
public final class RawHttp implements AutoCloseable {

  /** One answer: its status line, its headers (names in lower case) and its body. */
  public record Response(String statusLine, Map<String, List<String>> headers, String body) {
    public int status() {
      return Integer.parseInt(statusLine.split(" ")[1]);
    }

    public String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null ? null : values.get(0);
    }
  }

  private final Socket socket;
  private final InputStream in;

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
  }

  public static RawHttp connect(int port) {
    try {
      return new RawHttp(new Socket("127.0.0.1", port));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends the text as ISO-8859-1 bytes, {@code \r\n} written out by the caller. */
  public RawHttp send(String text) {
    try {
      socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads one answer (its body by Content-Length; none for a HEAD request's or without a length). */
  public Response read(Duration timeout) {
    try {
      socket.setSoTimeout((int) timeout.toMillis());
      String head = readHead();
      String[] lines = head.split("\r\n");
      Map<String, List<String>> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
            .add(lines[i].substring(colon + 1).trim());
      }
      List<String> length = headers.get("content-length");
      byte[] body = length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length.get(0)));
      return new Response(lines[0], headers, new String(body, StandardCharsets.UTF_8));
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no answer within " + timeout);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("connection closed before a complete answer: " + head.toString(StandardCharsets.ISO_8859_1));
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    return text.substring(0, text.length() - 4);
  }

  /**
   * True when the server closes its end within the timeout: reading ends (after whatever was still on its way)
   * or the connection is reset. False when it is still open then.
   */
  public boolean closedByServerWithin(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] sink = new byte[8192];
    try {
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          return false;
        }
        socket.setSoTimeout((int) left);
        if (in.read(sink) < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException reset) {
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Socket socket() {
    return socket;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
