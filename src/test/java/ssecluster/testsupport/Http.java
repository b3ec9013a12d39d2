package ssecluster.testsupport;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Blocking HTTP/1.1 calls from the test thread with the JDK's client, each bounded in time. */
public final class Http {

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private Http() {
  }

  public static HttpResponse<String> post(int port, String pathAndQuery, byte[] body) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  /** A POST of a UTF-8 body, with request headers given as name, value, name, value... */
  public static HttpResponse<String> post(int port, String pathAndQuery, String body, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    return send(headers.length == 0 ? request : request.headers(headers));
  }

  /** A GET with request headers given as name, value, name, value... */
  public static HttpResponse<String> get(int port, String pathAndQuery, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).GET();
    return send(headers.length == 0 ? request : request.headers(headers));
  }

  /** A GET to another address of this machine (its network interface, say), with headers as above. */
  public static HttpResponse<String> get(String host, int port, String pathAndQuery, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + pathAndQuery)).GET();
    return send(headers.length == 0 ? request : request.headers(headers));
  }

  /**
   * This machine's IPv4 address on a network interface (not loopback), as another machine would reach it; null when
   * it has none. A request to it comes from that address, so a node takes it for one from another machine.
   */
  public static String networkAddress() {
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (nic.isUp() && !nic.isLoopback()) {
          for (InetAddress address : Collections.list(nic.getInetAddresses())) {
            if (address instanceof Inet4Address) {
              return address.getHostAddress();
            }
          }
        }
      }
    } catch (SocketException e) {
      throw new AssertionError("cannot list this machine's network interfaces", e);
    }
    return null;
  }

  /** An OPTIONS request (a browser's preflight, say) with headers given as name, value, name, value... */
  public static HttpResponse<String> options(int port, String pathAndQuery, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody());
    return send(headers.length == 0 ? request : request.headers(headers));
  }

  /**
   * Sends and waits for the whole body, 20 s at most: an answer that turns out to be an endless event stream
   * (a subscription that should have been refused, say) fails the test instead of hanging it.
   */
  private static HttpResponse<String> send(HttpRequest.Builder request) {
    CompletableFuture<HttpResponse<String>> answer =
        CLIENT.sendAsync(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    try {
      return answer.get(20, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      answer.cancel(true);
      throw new AssertionError("no complete answer within 20 s from " + request.build().uri());
    } catch (ExecutionException e) {
      throw new AssertionError("HTTP call failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
