package ssecluster.testsupport;

import io.vertx.core.Vertx;
import ssecluster.Node;
import ssecluster.config.Settings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real clustered nodes for tests: each {@link Node} is its own Vert.x with its own Hazelcast member, all in
 * a cluster of their own. The Hazelcast configuration is the project's {@code cluster.xml} with a unique
 * cluster name and port range, so tests never join a demo cluster that may be running, nor each other.
 */
public final class TestCluster implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  /** This cluster's own Hazelcast file: a member that an earlier test failed to stop can never join it. */
  private final Path config;
  private final List<Node> nodes = new ArrayList<>();
  private Vertx clients;

  public TestCluster() {
    this(8, Map.of());
  }

  /**
   * A cluster whose Hazelcast file lists only the first {@code memberAddresses} (1 to 8) of its ports as members
   * and sets these properties (a shorter failure detector, say). Hazelcast's search for the other part of a split
   * waits 5 s for each listed address that does not answer, so a test of merging lists only the ones it uses.
   */
  public TestCluster(int memberAddresses, Map<String, String> hazelcastProperties) {
    config = writeClusterConfig(memberAddresses, hazelcastProperties);
  }

  /** Starts a node; {@code overrides} are node flags such as {@code "--keepalive-seconds", "1"}. */
  public Node start(String... overrides) {
    Node node;
    try {
      node = Await.result(Node.start(settings(overrides)), START_TIMEOUT, "a node to start");
    } catch (AssertionError e) {
      if (e.getMessage() != null && e.getMessage().startsWith("timed out")) {
        // A start that hung once in CI left nothing to go on: leave every thread's stack in the test output.
        System.err.println("TestCluster: " + e.getMessage() + "; threads now:\n" + threadDump());
      }
      throw e;
    }
    nodes.add(node);
    return node;
  }

  private static String threadDump() {
    StringBuilder dump = new StringBuilder();
    Thread.getAllStackTraces().forEach((thread, stack) -> {
      dump.append('"').append(thread.getName()).append("\" ").append(thread.getState()).append('\n');
      for (StackTraceElement frame : stack) {
        dump.append("    at ").append(frame).append('\n');
      }
    });
    return dump.toString();
  }

  public List<Node> start(int count, String... overrides) {
    List<Node> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      started.add(start(overrides));
    }
    return started;
  }

  /** A plain (not clustered) Vert.x for the tests' clients, created on first use and closed with the cluster. */
  public synchronized Vertx clients() {
    if (clients == null) {
      clients = Vertx.vertx();
    }
    return clients;
  }

  /** Stops one node gracefully (ends its streams, leaves the cluster). */
  public void stop(Node node) {
    nodes.remove(node);
    Await.result(node.stop(), Duration.ofSeconds(30), "a node to stop");
  }

  @Override
  public void close() {
    for (Node node : new ArrayList<>(nodes)) {
      try {
        stop(node);
      } catch (AssertionError e) {
        System.err.println("TestCluster: " + e.getMessage());
      }
    }
    synchronized (this) {
      if (clients != null) {
        Await.result(clients.close(), Duration.ofSeconds(30), "the clients' Vert.x to close");
        clients = null;
      }
    }
  }

  /** Settings for a node of this cluster: its own free HTTP port, HTTPS off, this cluster's configuration. */
  public Settings settings(String... overrides) {
    List<String> args = new ArrayList<>(List.of(
        "--cluster-config", config.toString(),
        "--http-port", String.valueOf(freePort()),
        "--https-port", "-1",
        "--http-instances", "2",
        // Only tests that start their own Redis ingest from one; none may touch a demo's Redis on 6379.
        "--redis-ingest", "false",
        // The same for PostgreSQL, whatever POSTGRES_URL says.
        "--postgres-url", ""));
    args.addAll(List.of(overrides));
    return Settings.load(args, System.getenv(), new ArrayList<>());
  }

  /** The Hazelcast file of this cluster, for nodes started in processes of their own. */
  public Path clusterConfig() {
    return config;
  }

  private static final int PORT_RANGE_START = 30_000;
  private static final int PORT_RANGE_SIZE = 2_700;
  private static final AtomicInteger nextPort = new AtomicInteger(ThreadLocalRandom.current().nextInt(PORT_RANGE_SIZE));

  /**
   * A free port for a server a test starts (a node's HTTP port, Redis, PostgreSQL). Taken from just below the
   * kernel's ephemeral range (32768 and up on Linux), never twice in this JVM: a port from the ephemeral range
   * can be taken by any outgoing connection in the seconds between this answer and the server's bind (a
   * node binds only after joining its cluster), which fails the bind with "Address already in use".
   * Hazelcast's blocks (freePortBlock) lie below this range.
   */
  public static int freePort() {
    for (int attempt = 0; attempt < PORT_RANGE_SIZE; attempt++) {
      int port = PORT_RANGE_START + Math.floorMod(nextPort.getAndIncrement(), PORT_RANGE_SIZE);
      if (allFree(port, 1)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port between " + PORT_RANGE_START + " and "
        + (PORT_RANGE_START + PORT_RANGE_SIZE - 1));
  }

  private static Path writeClusterConfig(int memberAddresses, Map<String, String> hazelcastProperties) {
    try {
      String xml = Files.readString(Path.of("cluster.xml"), StandardCharsets.UTF_8);
      for (Map.Entry<String, String> property : hazelcastProperties.entrySet()) {
        String element = "<property name=\"" + property.getKey() + "\">" + property.getValue() + "</property>";
        String existing = "<property name=\"" + Pattern.quote(property.getKey()) + "\">[^<]*</property>";
        xml = xml.matches("(?s).*" + existing + ".*")
            ? xml.replaceAll(existing, Matcher.quoteReplacement(element))
            : xml.replace("</properties>", "  " + element + "\n  </properties>");
      }
      int base = freePortBlock();
      xml = xml.replace("<cluster-name>sse-cluster</cluster-name>",
          "<cluster-name>sse-test-" + UUID.randomUUID() + "</cluster-name>");
      xml = xml.replace(">5701</port>", ">" + base + "</port>");
      for (int i = 1; i <= 8; i++) {
        xml = i <= memberAddresses
            ? xml.replace("127.0.0.1:570" + i + "<", "127.0.0.1:" + (base + i - 1) + "<")
            : xml.replaceAll("\\s*<member>127\\.0\\.0\\.1:570" + i + "</member>", "");
      }
      if (xml.contains("127.0.0.1:570") || !xml.contains("sse-test-")) {
        throw new IllegalStateException("cluster.xml changed shape; update TestCluster's rewriting");
      }
      Path file = Files.createTempFile("sse-test-cluster", ".xml");
      Files.writeString(file, xml, StandardCharsets.UTF_8);
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A base port with the next 20 free, below the ephemeral range so clients never take them meanwhile. */
  private static int freePortBlock() {
    for (int attempt = 0; attempt < 50; attempt++) {
      int base = 10_000 + ThreadLocalRandom.current().nextInt(1000) * 20;
      if (allFree(base, 20)) {
        return base;
      }
    }
    throw new IllegalStateException("no free block of 20 ports found for the test cluster");
  }

  private static boolean allFree(int base, int count) {
    for (int port = base; port < base + count; port++) {
      try (ServerSocket ignored = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        // free
      } catch (IOException taken) {
        return false;
      }
    }
    return true;
  }
}
