package ssecluster.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Command-line options of the bench, with their defaults; {@code --name value} or {@code --name=value}. */
public final class BenchOptions {

  private static final Map<String, String[]> OPTIONS = new LinkedHashMap<>();
  /**
   * Load runs touch the whole heap at start, as a production JVM would be run: otherwise the kernel zeroes
   * fresh heap pages on first use inside the measured window (5% of node CPU in a profile). Idle runs do
   * not, so that RSS growth per connection stays meaningful. Both get the JIT thresholds run.sh gives
   * every node (its NODE_JVM).
   */
  static final String LOAD_NODE_JVM = "-Xms512m -Xmx2g -XX:+AlwaysPreTouch -XX:CompileThresholdScaling=0.25";
  static final String IDLE_NODE_JVM = "-Xms512m -Xmx2g -XX:CompileThresholdScaling=0.25";

  static {
    option("--mode", "load", "load: publish at a fixed rate and count deliveries; idle: memory and CPU of idle connections");
    option("--server", "sse", "sse (this project) or nchan (nginx + nchan, config bench/nchan/nginx.conf)");
    option("--nodes", "1", "servers to start (sse: nodes; nchan: ignored, one nginx); 0 with --targets to use running ones");
    option("--targets", "", "running servers host:port,... (instead of starting them)");
    option("--pids", "", "pids of the running servers, same order as --targets, for CPU and memory (optional)");
    option("--connections", "1000", "SSE connections (load) ");
    option("--subscribe-nodes", "all", "node indexes that get subscribers, e.g. 1 or 0,1 (connections spread evenly)");
    option("--publish-node", "0", "node index that receives HTTP publishes");
    option("--publish-via", "http", "http (POST to the server), eventbus (bench joins the cluster as a light member), redis (PUBLISH to a Redis of the bench's own) or postgres (a PostgreSQL of the bench's own, see --postgres-via)");
    option("--rate", "100", "messages per second, open loop (sent on schedule, whatever the replies do)");
    option("--size", "100", "bytes of each event's data");
    option("--warmup", "5", "seconds of publishing before the measured window");
    option("--duration", "20", "seconds of the measured window");
    option("--drain", "3", "after the last publish is answered, the run ends once no event arrived for this many seconds (120 s cap)");
    option("--health-every", "5", "load mode: GET /health on every sse node every N seconds, as a load balancer would (0: only at the window's edges, for the counters)");
    option("--namespace", "bench", "namespace (sse) or channel id (nchan)");
    option("--source-addresses", "1", "spread client connections over 127.0.0.1 .. 127.0.0.N");
    option("--client-loops", "1", "event loops of the bench's clients (connections spread over them); on 2 cores one leaves the other core to the servers");
    option("--client-transport", "epoll", "network transport of the bench's clients and publisher: epoll, io_uring or nio (falls back like the nodes' --transport)");
    option("--connect-concurrency", "200", "connections being opened at once");
    option("--idle-steps", "0,5000,10000,15000", "idle mode: connection counts measured in turn");
    option("--idle-settle", "5", "idle mode: seconds to wait after connecting before measuring");
    option("--idle-window", "30", "idle mode: seconds over which CPU is measured at each step");
    option("--http-port", "18081", "HTTP port of the first started server (next ones +1)");
    option("--hazelcast-port", "5931", "first Hazelcast port of the bench cluster (its own, apart from the demo's)");
    option("--node-jvm", "", "JVM options of started sse nodes (none: '" + LOAD_NODE_JVM + "' in load mode, '" + IDLE_NODE_JVM
        + "' in idle mode)");
    option("--node-args", "", "extra node options of started sse nodes, e.g. '--keepalive-seconds 15'");
    option("--redis-port", "16379", "port of the bench's own Redis with --publish-via redis");
    option("--postgres-via", "notify", "with --publish-via postgres: notify (pg_notify on the nodes' channel) or outbox (an INSERT into sse_outbox per message, each its own transaction)");
    option("--postgres-port", "15432", "port of the bench's own PostgreSQL with --publish-via postgres");
    option("--nchan-workers", "1", "nginx worker processes when --server nchan");
    option("--server-cpus", "", "pin the started servers to these CPUs (taskset list, e.g. 0 or 0-1); none: no pinning");
    option("--server-nice", "", "niceness of the started servers (nice -n; below 0 needs root), e.g. -5 to let them run before the bench; none: unchanged");
    option("--bench-cpus", "", "pin the bench itself (clients, publisher) to these CPUs, e.g. 1; none: no pinning");
    option("--label", "", "free text printed with the results (e.g. what was changed)");
  }

  private static void option(String flag, String defaultValue, String help) {
    OPTIONS.put(flag, new String[] {defaultValue, help});
  }

  private final Map<String, String> values = new LinkedHashMap<>();

  public BenchOptions(List<String> args) {
    OPTIONS.forEach((flag, spec) -> values.put(flag, spec[0]));
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String flag = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        flag = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      if (!OPTIONS.containsKey(flag)) {
        throw new IllegalArgumentException("unknown option " + arg + "\n" + help());
      }
      if (value == null) {
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException("option " + flag + " needs a value");
        }
        value = args.get(++i);
      }
      values.put(flag, value);
    }
    validate();
  }

  private void validate() {
    if (!List.of("load", "idle").contains(mode())) {
      throw new IllegalArgumentException("--mode is load or idle");
    }
    if (!List.of("sse", "nchan").contains(server())) {
      throw new IllegalArgumentException("--server is sse or nchan");
    }
    if (!List.of("http", "eventbus", "redis", "postgres").contains(publishVia())) {
      throw new IllegalArgumentException("--publish-via is http, eventbus, redis or postgres");
    }
    if (!List.of("notify", "outbox").contains(postgresVia())) {
      throw new IllegalArgumentException("--postgres-via is notify or outbox");
    }
    if (!publishVia().equals("http") && server().equals("nchan")) {
      throw new IllegalArgumentException("the bench drives nchan over HTTP only: use --publish-via http");
    }
    if (nodes() == 0 && targets().isEmpty()) {
      throw new IllegalArgumentException("--nodes 0 needs --targets");
    }
    if (healthEverySeconds() < 0) {
      throw new IllegalArgumentException("--health-every takes seconds >= 0");
    }
    if (rate() <= 0 || connections() < 0 || size() < 40) {
      throw new IllegalArgumentException("--rate > 0, --connections >= 0, --size >= 40 (room for the numbers)");
    }
    for (String cpus : List.of(serverCpus(), benchCpus())) {
      if (!cpus.matches("[0-9,-]*")) {
        throw new IllegalArgumentException("--server-cpus / --bench-cpus take a CPU list such as 0 or 0-1 or 0,2");
      }
    }
    if (!serverNice().matches("(-?[0-9]+)?")) {
      throw new IllegalArgumentException("--server-nice takes a niceness such as -5 or 10");
    }
    idleSteps();
    subscribeNodes(Math.max(1, targets().isEmpty() ? nodes() : targets().size()));
  }

  public static String help() {
    StringBuilder out = new StringBuilder("usage: ./run.sh bench [OPTIONS]\n\noptions:\n");
    OPTIONS.forEach((flag, spec) -> out.append(String.format("  %-22s %s (default: %s)%n", flag, spec[1],
        spec[0].isEmpty() ? "none" : spec[0])));
    return out.toString();
  }

  private String get(String flag) {
    return values.get(flag);
  }

  private int integer(String flag) {
    try {
      return Integer.parseInt(get(flag).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " must be a number, got '" + get(flag) + "'");
    }
  }

  public String mode() { return get("--mode"); }
  public String server() { return get("--server"); }
  public boolean nchan() { return server().equals("nchan"); }
  public int nodes() { return integer("--nodes"); }
  public List<String> targets() { return list(get("--targets")); }
  public List<Long> pids() { return list(get("--pids")).stream().map(Long::parseLong).toList(); }
  public int connections() { return integer("--connections"); }
  public int publishNode() { return integer("--publish-node"); }
  public String publishVia() { return get("--publish-via"); }
  public int rate() { return integer("--rate"); }
  public int size() { return integer("--size"); }
  public int warmupSeconds() { return integer("--warmup"); }
  public int durationSeconds() { return integer("--duration"); }
  public int drainSeconds() { return integer("--drain"); }
  public int healthEverySeconds() { return integer("--health-every"); }
  public String namespace() { return get("--namespace"); }
  public int sourceAddresses() { return integer("--source-addresses"); }
  public int clientLoops() { return integer("--client-loops"); }
  public String clientTransport() { return get("--client-transport"); }
  public int connectConcurrency() { return integer("--connect-concurrency"); }
  public int idleSettleSeconds() { return integer("--idle-settle"); }
  public int idleWindowSeconds() { return integer("--idle-window"); }
  public int httpPort() { return integer("--http-port"); }
  public int hazelcastPort() { return integer("--hazelcast-port"); }
  public List<String> nodeJvm() {
    String configured = get("--node-jvm");
    return split(!configured.isBlank() ? configured : mode().equals("idle") ? IDLE_NODE_JVM : LOAD_NODE_JVM);
  }
  public List<String> nodeArgs() { return split(get("--node-args")); }
  public int redisPort() { return integer("--redis-port"); }
  public String postgresVia() { return get("--postgres-via"); }
  public int postgresPort() { return integer("--postgres-port"); }
  public int nchanWorkers() { return integer("--nchan-workers"); }
  public String serverCpus() { return get("--server-cpus").trim(); }
  public String benchCpus() { return get("--bench-cpus").trim(); }
  public String serverNice() { return get("--server-nice").trim(); }
  public String label() { return get("--label"); }

  public List<Integer> idleSteps() {
    try {
      return list(get("--idle-steps")).stream().map(Integer::parseInt).toList();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--idle-steps takes numbers, e.g. 0,5000,10000");
    }
  }

  /** Node indexes that get subscribers, among {@code nodeCount}. */
  public List<Integer> subscribeNodes(int nodeCount) {
    String raw = get("--subscribe-nodes");
    List<Integer> indexes = new ArrayList<>();
    if (raw.equals("all")) {
      for (int i = 0; i < nodeCount; i++) {
        indexes.add(i);
      }
      return indexes;
    }
    for (String part : list(raw)) {
      int index = Integer.parseInt(part);
      if (index < 0 || index >= nodeCount) {
        throw new IllegalArgumentException("--subscribe-nodes: no node " + index + " among " + nodeCount);
      }
      indexes.add(index);
    }
    return indexes;
  }

  /** Every option and its value, for the report header. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    values.forEach((flag, value) -> {
      if (!value.equals(OPTIONS.get(flag)[0])) {
        out.append(flag).append(' ').append(value.contains(" ") ? "'" + value + "'" : value).append(' ');
      }
    });
    return out.toString().trim();
  }

  private static List<String> list(String raw) {
    return raw.isBlank() ? List.of() : Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static List<String> split(String raw) {
    return raw.isBlank() ? List.of() : Arrays.asList(raw.trim().split("\\s+"));
  }
}
