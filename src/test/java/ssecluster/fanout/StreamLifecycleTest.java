package ssecluster.fanout;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ssecluster.Node;
import ssecluster.testsupport.Await;
import ssecluster.testsupport.Http;
import ssecluster.testsupport.SseClient;
import ssecluster.testsupport.SseParser.Event;
import ssecluster.testsupport.TestCluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What happens to streams over their life: consumers follow demand, keepalives flow, a client that stops
 * reading is dropped without hurting a fast one, and a node that shuts down ends its streams and leaves.
 */
class StreamLifecycleTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static TestCluster cluster;
  private static Node publisherNode;
  private static Node subscriberNode;
  private static Vertx clients;

  @BeforeAll
  static void startCluster() {
    cluster = new TestCluster();
    String[] flags = {"--keepalive-seconds", "1", "--slow-client-millis", "3000", "--slow-client-bytes", "4194304"};
    publisherNode = cluster.start(flags);
    subscriberNode = cluster.start(flags);
    clients = cluster.clients();
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @Test
  void oneConsumerPerNamespacePerNodeReleasedWhenUnwatched() throws Exception {
    // Streams of other tests on this node are released in the background after they close: start from zero.
    Await.until("streams of earlier tests to be released", WAIT,
        () -> subscriberNode.counters().openConnections() == 0 && channels(subscriberNode) == 0);
    int before = 0;
    List<SseClient> streams = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      streams.add(SseClient.open(clients, subscriberNode.httpPort(), "/subscribe/lifecycle/dogs"));
    }
    streams.add(SseClient.open(clients, subscriberNode.httpPort(), "/subscribe?ns=lifecycle.dogs,lifecycle.cats"));
    assertEquals(before + 2, channels(subscriberNode), "one consumer for lifecycle.dogs, one for lifecycle.cats");

    Http.post(publisherNode.httpPort(), "/publish/lifecycle/dogs", "woof");
    for (SseClient stream : streams) {
      assertEquals(List.of("woof"), stream.awaitEvents(1, WAIT).stream().map(Event::data).toList());
    }
    for (SseClient stream : streams) {
      stream.close();
    }
    Await.until("consumers to be released after the last client left", WAIT, () -> channels(subscriberNode) == before);
    Await.until("connections to be counted closed", WAIT, () -> subscriberNode.counters().openConnections() == 0);
  }

  /**
   * Clients that leave and come back (a reconnect, or HTTP/2 rapid reset's open-and-close loop) find their
   * namespace's consumer still there: no registration and no route confirmation across the cluster each
   * time, and the stream still gets the very next message.
   */
  @Test
  void aConsumerNobodyWatchesLingersAndAReturningStreamReusesIt() throws Exception {
    java.util.concurrent.atomic.AtomicInteger confirmationsAsked = new java.util.concurrent.atomic.AtomicInteger();
    io.vertx.core.eventbus.MessageConsumer<io.vertx.core.json.JsonObject> watcher = publisherNode.vertx().eventBus()
        .consumer(ssecluster.bus.BusAddresses.ROUTE_CHECK, request -> {
          for (Object check : request.body().getJsonArray("checks", new io.vertx.core.json.JsonArray())) {
            if ("linger".equals(((io.vertx.core.json.JsonObject) check).getString("address"))) {
              confirmationsAsked.incrementAndGet();
            }
          }
        });
    Await.result(watcher.completion(), WAIT, "the watcher to be registered");
    try {
      try (SseClient first = SseClient.open(clients, subscriberNode.httpPort(), "/subscribe/linger")) {
        Http.post(publisherNode.httpPort(), "/publish/linger", "one");
        first.awaitData("one", WAIT);
      }
      int askedForFirst = confirmationsAsked.get();
      assertTrue(askedForFirst >= 1, "the first stream's consumer was confirmed with the other node");
      for (int round = 0; round < 20; round++) {
        try (SseClient again = SseClient.open(clients, subscriberNode.httpPort(), "/subscribe/linger")) {
          Http.post(publisherNode.httpPort(), "/publish/linger", "again-" + round);
          assertEquals("again-" + round, again.awaitEvents(1, WAIT).get(0).data());
        }
      }
      assertEquals(askedForFirst, confirmationsAsked.get(), "20 streams that came back cost no confirmation");
      Await.until("the consumer to go once nobody came back", WAIT, () -> channels(subscriberNode) == 0);
    } finally {
      watcher.unregister();
    }
  }

  @Test
  void renewingRegistrationsMidStreamLosesAndDoublesNothing() throws Exception {
    // What a node does when Hazelcast lost partitions holding event-bus registrations.
    Await.until("streams of earlier tests to be released", WAIT,
        () -> subscriberNode.counters().openConnections() == 0 && channels(subscriberNode) == 0);
    try (SseClient stream = SseClient.open(clients, subscriberNode.httpPort(), "/subscribe/renew")) {
      int channelsBefore = 1;
      List<String> expected = new ArrayList<>();
      for (int round = 0; round < 10; round++) {
        var renewal = subscriberNode.hub().renewRegistrations();
        for (int i = 0; i < 100; i++) {
          String data = "r" + round + "-" + i;
          expected.add(data);
          publisherNode.vertx().eventBus().publish("renew", data);
        }
        Await.result(renewal, WAIT, "registrations renewed");
      }
      expected.add("end");
      publisherNode.vertx().eventBus().publish("renew", "end");
      stream.awaitData("end", WAIT);
      Thread.sleep(300);
      assertEquals(expected, stream.events().stream().map(Event::data).toList());
      assertEquals(channelsBefore, channels(subscriberNode), "still one consumer per namespace");
    }
  }

  @Test
  void keepaliveCommentsFlow() throws Exception {
    try (SseClient idle = SseClient.open(clients, subscriberNode.httpPort(), "/subscribe/quiet")) {
      idle.awaitComment("keepalive", Duration.ofSeconds(10));
      assertEquals(List.of(), idle.events());
    }
  }

  @Test
  void clientThatStopsReadingIsDroppedWhileFastClientGetsEverything() throws Exception {
    int port = subscriberNode.httpPort();
    try (Socket stalled = new Socket();
         SseClient fast = SseClient.open(clients, port, "/subscribe/flood")) {
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new InetSocketAddress("127.0.0.1", port));
      OutputStream out = stalled.getOutputStream();
      out.write(("GET /subscribe/flood HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = stalled.getInputStream();
      readUntil(in, "retry:");   // subscribed; from now on this client reads nothing
      assertEquals("01", serverSideTcpState(port, stalled.getLocalPort()), "the server's end, established");
      long droppedBefore = subscriberNode.counters().slowClientsDropped.sum();

      String payload = "x".repeat(8 * 1024);
      int count = 1600;   // 12.5 MiB: past the kernel's socket buffers and the 4 MiB lag bound
      int chunk = 50;     // published at the pace a reading client keeps up with
      for (int i = 0; i < count; i++) {
        publisherNode.vertx().eventBus().publish("flood", i + ":" + payload);
        if ((i + 1) % chunk == 0) {
          fast.awaitEvents(i + 1, WAIT);
        }
      }
      List<Event> received = fast.awaitEvents(count, WAIT);
      for (int i = 0; i < count; i++) {
        assertTrue(received.get(i).data().startsWith(i + ":"), "event " + i + " out of order");
      }
      assertEquals(count, received.size());

      Await.until("the stalled client to be dropped and counted", WAIT,
          () -> subscriberNode.counters().slowClientsDropped.sum() == droppedBefore + 1);
      // The server closed its end while the client still reads nothing: it holds neither the socket nor the
      // bytes queued for it (a close that first writes out the queue would wait for this client forever).
      Await.until("the server to close its end of the stalled connection", WAIT,
          () -> !"01".equals(serverSideTcpState(port, stalled.getLocalPort())));
      // Draining it ends in EOF (or a reset), not in a hang.
      stalled.setSoTimeout(10_000);
      byte[] sink = new byte[64 * 1024];
      try {
        while (in.read(sink) >= 0) {
          // discard what was queued before the drop
        }
      } catch (java.net.SocketException reset) {
        // also a closed connection
      }
    }
  }

  @Test
  void http2StreamThatStopsReadingIsResetWhileTheOthersOnItsLoopGetEverything() throws Exception {
    // One event loop, so the stalled stream and the fast one are in the same fan-out, the stalled one first.
    Node node = cluster.start("--keepalive-seconds", "1", "--slow-client-millis", "3000",
        "--slow-client-bytes", "4194304", "--http-instances", "1");
    HttpClient h2 = clients.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    try {
      Promise<Throwable> stalledEnded = Promise.promise();
      HttpClientResponse stalled = Await.result(h2.request(HttpMethod.GET, node.httpPort(), "127.0.0.1", "/subscribe/h2flood")
          .compose(request -> request.send())
          .onSuccess(response -> {
            response.pause();   // reads nothing more: the stream's flow-control window runs out
            response.exceptionHandler(stalledEnded::tryComplete);
            response.endHandler(v -> stalledEnded.tryFail("the stalled stream ended normally"));
          }), WAIT, "the h2 stream to open");
      assertEquals(200, stalled.statusCode());
      long droppedBefore = node.counters().slowClientsDropped.sum();
      try (SseClient fast = SseClient.open(clients, node.httpPort(), "/subscribe/h2flood")) {
        String payload = "x".repeat(8 * 1024);
        int count = 1600;
        for (int i = 0; i < count; i++) {
          publisherNode.vertx().eventBus().publish("h2flood", i + ":" + payload);
          if ((i + 1) % 50 == 0) {
            fast.awaitEvents(i + 1, WAIT);
          }
        }
        List<Event> received = fast.awaitEvents(count, WAIT);
        for (int i = 0; i < count; i++) {
          assertTrue(received.get(i).data().startsWith(i + ":"), "event " + i + " out of order or missing");
        }
        assertEquals(count, received.size());
        assertEquals(droppedBefore + 1, node.counters().slowClientsDropped.sum(), "the stalled stream was dropped");
        Throwable reset = Await.result(stalledEnded.future(), WAIT, "the stalled stream to be reset");
        assertTrue(reset instanceof StreamResetException, "reset, not " + reset);
      }
    } finally {
      h2.close();
      cluster.stop(node);
    }
  }

  @Test
  void http10ClientGetsAStreamWithoutChunkFraming() throws Exception {
    // HTTP/1.0 has no chunked encoding: the body is the SSE text as it is, ended by closing the connection.
    try (Socket socket = new Socket("127.0.0.1", subscriberNode.httpPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("GET /subscribe/old HTTP/1.0\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      readUntil(in, "\r\n\r\n");
      Http.post(publisherNode.httpPort(), "/publish/old", "one");
      String body = readUntil(in, "data: one\n\n");
      assertTrue(body.startsWith("retry: "), "the body starts with the retry field, no chunk size: " + body);
      assertTrue(body.matches("(?s)retry: \\d+\n\n(:keepalive\n\n)*id: [^\n]+\ndata: one\n\n"), body);
    }
  }

  /**
   * The state of the server's end of a loopback connection as the kernel lists it ("01": established), or
   * "gone". A server listening on IPv6 lists its IPv4 connections in tcp6.
   */
  private static String serverSideTcpState(int serverPort, int clientPort) {
    try {
      String local = String.format(":%04X", serverPort);
      String remote = String.format(":%04X", clientPort);
      for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] fields = line.trim().split("\\s+");
          if (fields.length > 3 && fields[1].endsWith(local) && fields[2].endsWith(remote)) {
            return fields[3];
          }
        }
      }
      return "gone";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void nodeThatShutsDownEndsItsStreamsAndLeavesTheCluster() throws Exception {
    Node leaving = cluster.start();
    String leavingId = leaving.nodeId();
    assertTrue(members(publisherNode).contains(leavingId));
    try (SseClient stream = SseClient.open(clients, leaving.httpPort(), "/subscribe/leaving")) {
      Http.post(publisherNode.httpPort(), "/publish/leaving", "before");
      stream.awaitEvents(1, WAIT);
      cluster.stop(leaving);
      stream.awaitEnd(WAIT);
      assertEquals(List.of("before"), stream.events().stream().map(Event::data).toList());
    }
    Await.until("the stopped node to leave the member list", WAIT, () -> !members(publisherNode).contains(leavingId));
    assertEquals(202, Http.post(publisherNode.httpPort(), "/publish/leaving", "after").statusCode());
  }

  private static List<String> members(Node node) {
    return new JsonObject(Http.get(node.httpPort(), "/health").body()).getJsonArray("clusterMembers")
        .stream().map(String::valueOf).toList();
  }

  private static int channels(Node node) {
    try {
      return node.hub().channelCount().toCompletionStage().toCompletableFuture().get();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Reads up to and including the marker; returns what was read. */
  private static String readUntil(InputStream in, String marker) throws Exception {
    StringBuilder seen = new StringBuilder();
    while (!seen.toString().endsWith(marker)) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("stream ended before '" + marker + "': " + seen);
      }
      seen.append((char) b);
    }
    return seen.toString();
  }
}
