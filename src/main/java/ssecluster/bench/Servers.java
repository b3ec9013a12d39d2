package ssecluster.bench;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The servers under test: SSE nodes or one nginx+nchan that the bench starts (and always stops), or
 * servers already running (--targets). Knows their ports, pids, and the URLs of each server kind.
 */
final class Servers implements AutoCloseable {

  /** One server: where it listens and which processes make it (for /proc figures). */
  record Server(String host, int port, List<Long> pids) {
  }

  private static final String JVM_OPENS = "--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED "
      + "--add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED "
      + "--add-opens java.management/sun.management=ALL-UNNAMED "
      + "--add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED";

  private final BenchOptions options;
  private final Path workDir;
  private final List<Process> started = new ArrayList<>();
  private final List<Server> servers = new ArrayList<>();
  private Path clusterConfig;
  private String redisUrl;
  private String postgresUrl;

  Servers(BenchOptions options, Path workDir) {
    this.options = options;
    this.workDir = workDir;
  }

  List<Server> list() {
    return servers;
  }

  boolean nchan() {
    return options.nchan();
  }

  /** The bench cluster's Hazelcast file (generated when the bench started the nodes). */
  Path clusterConfig() {
    return clusterConfig;
  }

  String subscribePath(String namespace) {
    return nchan() ? "/sub?id=" + namespace : "/subscribe/" + namespace.replace('.', '/');
  }

  String publishPath(String namespace) {
    return nchan() ? "/pub?id=" + namespace : "/publish/" + namespace.replace('.', '/');
  }

  /** Starts what the options ask for, or adopts --targets; returns when every server answers. */
  void start(boolean trackNativeMemory) throws Exception {
    Files.createDirectories(workDir);
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "bench-servers-stop"));
    if (!options.targets().isEmpty()) {
      List<Long> pids = options.pids();
      for (int i = 0; i < options.targets().size(); i++) {
        String[] hostPort = options.targets().get(i).split(":");
        servers.add(new Server(hostPort[0], Integer.parseInt(hostPort[1]), i < pids.size() ? List.of(pids.get(i)) : List.of()));
      }
      return;
    }
    if (nchan()) {
      startNginx();
    } else {
      clusterConfig = writeClusterConfig();
      if (options.publishVia().equals("redis")) {
        startRedis();
      }
      if (options.publishVia().equals("postgres")) {
        startPostgres();
      }
      for (int i = 0; i < options.nodes(); i++) {
        startNode(i, trackNativeMemory);
      }
    }
    for (Server server : servers) {
      awaitUp(server);
    }
  }

  private void startNode(int index, boolean trackNativeMemory) throws IOException {
    int port = options.httpPort() + index;
    List<String> command = new ArrayList<>(Scheduling.prefix(options.serverCpus(), options.serverNice()));
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(JVM_OPENS.split(" ")));
    command.addAll(options.nodeJvm());
    if (trackNativeMemory) {
      command.add("-XX:NativeMemoryTracking=summary");
    }
    command.addAll(List.of("-cp", jar(), "ssecluster.Main", "node", "--http-port", Integer.toString(port),
        "--https-port", "-1", "--node-name", "bench-" + index, "--cluster-config", clusterConfig.toString()));
    // Bench nodes never touch a Redis someone else uses: their own one when publishing over Redis, else none.
    command.addAll(redisUrl == null ? List.of("--redis-ingest", "false") : List.of("--redis", redisUrl));
    command.addAll(List.of("--postgres-url", postgresUrl == null ? "" : postgresUrl));
    command.addAll(options.nodeArgs());
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(workDir.resolve("node-" + index + ".log").toFile())
        .start();
    started.add(process);
    servers.add(new Server("127.0.0.1", port, List.of(process.pid())));
    System.out.println("started sse node " + index + " pid " + process.pid() + " on :" + port
        + " (log " + workDir.resolve("node-" + index + ".log") + ")");
  }

  /** A Redis of the bench's own (the jar's embedded redis-server) on --redis-port. */
  private void startRedis() throws IOException, InterruptedException {
    int port = options.redisPort();
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", jar(), "ssecluster.Main", "redis", "--port", Integer.toString(port));
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(workDir.resolve("redis.log").toFile())
        .start();
    started.add(process);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.readString(workDir.resolve("redis.log")).contains("ready")) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("the bench's redis-server did not start; see " + workDir.resolve("redis.log"));
      }
      Thread.sleep(100);
    }
    redisUrl = "redis://127.0.0.1:" + port;
    System.out.println("started redis-server for the bench on :" + port + " (log " + workDir.resolve("redis.log") + ")");
  }

  /** A PostgreSQL of the bench's own (the jar's embedded server, no data kept) on --postgres-port. */
  private void startPostgres() throws IOException, InterruptedException {
    int port = options.postgresPort();
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", jar(), "ssecluster.Main", "postgres", "--port", Integer.toString(port));
    Path log = workDir.resolve("postgres.log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    started.add(process);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.readString(log).contains("Embedded PostgreSQL ready")) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("the bench's PostgreSQL did not start; see " + log);
      }
      Thread.sleep(100);
    }
    postgresUrl = "postgresql://postgres@127.0.0.1:" + port + "/postgres";
    System.out.println("started PostgreSQL for the bench on :" + port + " (log " + log + ")");
  }

  /** Where the bench publishes from with --publish-via postgres; null otherwise. */
  String postgresUrl() {
    return postgresUrl;
  }

  /** Where the bench publishes with Redis PUBLISH; null unless --publish-via redis. */
  String redisUrl() {
    return redisUrl;
  }

  private void startNginx() throws IOException, InterruptedException {
    Path conf = Path.of("bench/nchan/nginx.conf").toAbsolutePath();
    if (!Files.isRegularFile(conf)) {
      throw new IllegalStateException(conf + " not found: run the bench from the repository root");
    }
    Path prefix = workDir.resolve("nchan").toAbsolutePath();
    Files.createDirectories(prefix.resolve("logs"));
    Files.createDirectories(prefix.resolve("tmp"));
    int port = options.httpPort();
    String globals = "worker_processes " + options.nchanWorkers() + "; pid " + prefix.resolve("nginx.pid") + ";";
    // The committed config leaves the listen line to the bench: it names the port on a copy.
    Path runConf = prefix.resolve("nginx.conf");
    Files.writeString(runConf, Files.readString(conf)
        .replace("include listen.conf;", "listen 127.0.0.1:" + port + " backlog=4096;"));
    List<String> command = new ArrayList<>(Scheduling.prefix(options.serverCpus(), options.serverNice()));
    command.addAll(List.of("nginx", "-p", prefix + "/", "-c", runConf.toString(), "-g", globals));
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(prefix.resolve("logs/stdout.log").toFile())
        .start();
    started.add(process);
    Server pending = new Server("127.0.0.1", port, new ArrayList<>());
    awaitUp(pending);
    List<Long> pids = new ArrayList<>();
    pids.add(process.pid());
    pids.addAll(ProcStats.children(process.pid()));
    servers.add(new Server("127.0.0.1", port, pids));
    System.out.println("started nginx+nchan pids " + pids + " on :" + port);
  }

  private void awaitUp(Server server) throws InterruptedException {
    String path = nchan() ? "/nchan_stub_status" : "/health";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      try {
        HttpURLConnection connection = (HttpURLConnection) URI.create("http://" + server.host() + ":" + server.port() + path)
            .toURL().openConnection();
        connection.setConnectTimeout(1000);
        connection.setReadTimeout(1000);
        if (connection.getResponseCode() == 200) {
          connection.disconnect();
          return;
        }
        connection.disconnect();
      } catch (IOException notYet) {
        // starting
      }
      for (Process process : started) {
        if (!process.isAlive()) {
          throw new IllegalStateException("a server exited while starting; see the logs in " + workDir);
        }
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("server :" + server.port() + " did not come up within 90 s; logs in " + workDir);
  }

  /**
   * A copy of cluster.xml with its own cluster name and port range, so bench nodes never join (or
   * disturb) a demo cluster running on the default ports.
   */
  private Path writeClusterConfig() throws IOException {
    String xml = Files.readString(Path.of("cluster.xml"));
    int base = options.hazelcastPort();
    StringBuilder members = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      members.append("        <member>127.0.0.1:").append(base + i).append("</member>\n");
    }
    String bench = xml.replaceFirst("(?s)<!--.*?-->", "<!-- generated by the bench from cluster.xml: own cluster name and ports -->")
        .replaceFirst("<cluster-name>[^<]*</cluster-name>", "<cluster-name>sse-bench</cluster-name>")
        .replaceFirst("<port ([^>]*)>\\d+</port>", "<port $1>" + base + "</port>")
        .replaceFirst("port-count=\"\\d+\"", "port-count=\"8\"")
        .replaceFirst("(?s)(<tcp-ip enabled[^>]*>).*?(</tcp-ip>)", "$1\n" + members + "      $2");
    Path file = workDir.resolve("cluster-bench.xml");
    Files.writeString(file, bench);
    return file;
  }

  private static String jar() {
    String jar = System.getProperty("bench.jar");
    if (jar != null) {
      return jar;
    }
    File ownJar = new File(Servers.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    return ownJar.getAbsolutePath();
  }

  /** Stops what the bench started: TERM, then KILL after 10 s. Servers given by --targets are left alone. */
  @Override
  public synchronized void close() {
    for (Process process : started) {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
    }
    for (Process process : started) {
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    started.clear();
  }
}
