package ssecluster.config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Every setting of a node, in one place. Each one has a default that works on a laptop, an environment
 * variable and a command-line flag; a flag beats the environment, which beats the default. Unknown flags
 * are errors, so a typo never silently falls back to a default.
 */
public final class Settings {

  /** One setting: its flag, environment variable, default and meaning (for --help and the start-up log). */
  private record Option(String flag, String env, String defaultValue, String help) {
  }

  /** Options whose values are keys: never logged, and long enough for HS256. */
  private static final List<String> SECRETS = List.of("--publish-jwt-secret", "--subscribe-jwt-secret",
      "--admin-jwt-secret");

  private static final List<Option> OPTIONS = List.of(
      new Option("--http-port", "HTTP_PORT", "8080", "HTTP/1.1 and h2c port (0 picks a free one)"),
      new Option("--https-port", "HTTPS_PORT", "8443", "HTTPS port, h2 and HTTP/1.1 over TLS (-1 disables)"),
      new Option("--host", "HOST", "0.0.0.0", "address the HTTP servers listen on"),
      new Option("--node-name", "NODE_NAME", "", "name shown in /health and logs (default: host:http-port)"),
      new Option("--cluster-config", "SSE_CLUSTER_CONFIG", "cluster.xml", "Hazelcast configuration file"),
      new Option("--cluster-host", "CLUSTER_HOST", "", "address other nodes reach this node's event bus on (default: Hazelcast's)"),
      new Option("--webroot", "WEBROOT", "webroot", "directory of the single-page app"),
      new Option("--tls-cert", "TLS_CERT", "", "PEM certificate chain for HTTPS (default: a self-signed one)"),
      new Option("--tls-key", "TLS_KEY", "", "PEM private key for HTTPS"),
      new Option("--redis", "REDIS_URL", "redis://127.0.0.1:6379", "Redis to ingest from (PUBSUB and streams); rediss:// for TLS, redis://:PASSWORD@HOST:PORT"),
      new Option("--redis-tls-ca", "REDIS_TLS_CA", "", "PEM CA certificate(s) to trust for rediss:// (default: the JVM's trust store)"),
      new Option("--redis-ingest", "REDIS_INGEST", "true", "ingest from Redis at all (false: no Redis connections)"),
      new Option("--redis-pattern", "REDIS_PATTERN", "*", "PSUBSCRIBE pattern of the PUBSUB channels to ingest"),
      new Option("--redis-stream", "REDIS_STREAM", "sse:ingest", "stream key to ingest (bad entries go to KEY:dead)"),
      new Option("--redis-group", "REDIS_GROUP", "sse-cluster", "consumer group of the stream, shared by all nodes"),
      new Option("--redis-claim-idle-millis", "REDIS_CLAIM_IDLE_MILLIS", "5000", "stream entries another consumer of the group has left pending this long are taken over by the node that reads the stream (a reader that died is taken over at once)"),
      new Option("--redis-stream-maxlen", "REDIS_STREAM_MAXLEN", "100000", "trim the stream (and KEY:dead) to about this many entries (0: never)"),
      new Option("--postgres-url", "POSTGRES_URL", "", "PostgreSQL to ingest from (LISTEN/NOTIFY and the outbox table), postgresql://USER:PASSWORD@HOST:PORT/DB; ./run.sh --postgres uses postgresql://postgres@127.0.0.1:5432/postgres; empty: nothing about PostgreSQL runs"),
      new Option("--postgres-channel", "POSTGRES_CHANNEL", "sse", "channel the cluster LISTENs on; payload JSON {\"ns\": ..., \"event\": ..., \"data\": ...}"),
      new Option("--postgres-outbox-table", "POSTGRES_OUTBOX_TABLE", "sse_outbox", "outbox table drained into the cluster, created if missing (bad rows go to TABLE_dead; a NOTIFY on channel TABLE wakes the drain); empty: no outbox"),
      new Option("--postgres-poll-millis", "POSTGRES_POLL_MILLIS", "5000", "the outbox is also drained this often, for rows whose NOTIFY was missed"),
      new Option("--publish-jwt-secret", "PUBLISH_JWT_SECRET", "", "when set (32 bytes or more), POST /publish needs 'Authorization: Bearer JWT' signed with it (HS256) whose 'publish' claim lists the namespaces allowed (\"\" for all); not set: anyone may publish over HTTP"),
      new Option("--subscribe-jwt-secret", "SUBSCRIBE_JWT_SECRET", "", "when set (32 bytes or more), GET /subscribe needs a JWT signed with it (HS256), as 'Authorization: Bearer JWT' or ?access_token=JWT, whose 'subscribe' claim covers every namespace asked for; the stream ends at the token's exp; not set: anyone may subscribe"),
      new Option("--jwt-allow-no-exp", "JWT_ALLOW_NO_EXP", "false", "accept publish, subscribe and admin JWTs without an 'exp' claim (they never expire, nor do streams opened with them); false: such tokens are refused with 401"),
      new Option("--cors-origins", "CORS_ORIGINS", "", "web origins whose pages may subscribe and publish from the browser (CORS), comma-separated, e.g. https://app.example; * for any; empty: same origin only"),
      new Option("--admin-remote", "ADMIN_REMOTE", "false", "let the admin data (/admin/status.json, /admin/cluster.json and the console's stream: client addresses and user agents) answer every machine; false: this machine's loopback only, and token holders (--admin-jwt-secret)"),
      new Option("--admin-jwt-secret", "ADMIN_JWT_SECRET", "", "when set (32 bytes or more), other machines reach the admin data with a JWT signed with it (HS256) whose 'admin' claim is true, as 'Authorization: Bearer JWT' or ?access_token=JWT"),
      new Option("--max-body-bytes", "MAX_BODY_BYTES", "65536", "largest message data accepted, in bytes"),
      new Option("--history-size", "HISTORY_SIZE", "1000", "messages kept per namespace in the cluster's history, for clients that resume with Last-Event-ID (0: no history, no resume; messages are then delivered in the order they reach each node)"),
      new Option("--history-ttl-seconds", "HISTORY_TTL_SECONDS", "300", "how long a message stays in history"),
      new Option("--header-timeout-seconds", "HEADER_TIMEOUT_SECONDS", "10", "time a new connection has to send its first complete request head (HTTP/2: open its first stream), counted from when it was accepted (TLS: from the end of its handshake); past it the connection is closed without an answer (slowloris)"),
      new Option("--body-timeout-seconds", "BODY_TIMEOUT_SECONDS", "30", "time a request body has to arrive in full, counted from its request head; past it: 408 and the connection is closed"),
      new Option("--idle-timeout-seconds", "IDLE_TIMEOUT_SECONDS", "30", "a connection with no request in progress (HTTP/1.1 keep-alive between requests, so the next head must be complete by then; HTTP/2 without open streams) is closed after this long; an open SSE stream is a request in progress and is never cut"),
      new Option("--keepalive-seconds", "KEEPALIVE_SECONDS", "15", "interval of the :keepalive comment"),
      new Option("--write-delay-millis", "WRITE_DELAY_MILLIS", "25", "for a busy namespace, at most one socket write per stream every this many ms: while its events come at least twice per delay and (on average) sooner than the time left, an event waits, up to this long, to leave with the next; events of slower namespaces and the first few after a quiet spell go at once (fewer system calls, more latency for busy namespaces; 0: write each at once)"),
      new Option("--retry-millis", "RETRY_MILLIS", "2000", "reconnect delay sent to clients in the retry: field"),
      new Option("--slow-client-millis", "SLOW_CLIENT_MILLIS", "10000", "how long a client's write queue may stay full"),
      new Option("--slow-client-bytes", "SLOW_CLIENT_BYTES", "8388608", "bytes a client may fall behind while its queue is full"),
      new Option("--http-instances", "HTTP_INSTANCES", "0", "HTTP server verticles (0: one per core)"),
      new Option("--direct-writes", "DIRECT_WRITES", "true", "HTTP/1.1 SSE: write each event's chunk, encoded once, straight to the sockets (false: through Vert.x's response)"),
      new Option("--transport", "TRANSPORT", "io_uring", "network transport: io_uring, epoll (both Linux native) or nio (Java); one that is not available here falls back to the next (io_uring, epoll, nio), logged"),
      new Option("--freeze-threshold-millis", "FREEZE_THRESHOLD_MILLIS", "5000", "a node that finds itself paused longer than this (a GC pause, a stopped process, a stalled VM) stops serving until every member of its cluster confirms it again; keep it below Hazelcast's hazelcast.max.no.heartbeat.seconds (0: never check)"),
      new Option("--demo", "DEMO", "false", "run the demo feed (clock on 'time', pets on 'pets.*') on this node"));

  private final Map<String, String> values;

  private Settings(Map<String, String> values) {
    this.values = values;
  }

  /**
   * Reads settings from the environment and then the flags. Flags take {@code --name value} or
   * {@code --name=value}; a boolean flag alone means true. Arguments that are not flags are returned
   * through {@code positional}.
   */
  public static Settings load(List<String> args, Map<String, String> env, List<String> positional) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Option option : OPTIONS) {
      String fromEnv = env.get(option.env());
      values.put(option.flag(), fromEnv != null ? fromEnv : option.defaultValue());
    }
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        positional.add(arg);
        continue;
      }
      String flag = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (eq > 0) {
        flag = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      if (!values.containsKey(flag)) {
        throw new IllegalArgumentException("unknown option " + flag + " (see --help)");
      }
      if (value == null) {
        boolean isBoolean = "false".equals(defaultOf(flag)) || "true".equals(defaultOf(flag));
        if (isBoolean && (i + 1 >= args.size() || args.get(i + 1).startsWith("--"))) {
          value = "true";
        } else if (i + 1 < args.size()) {
          value = args.get(++i);
        } else {
          throw new IllegalArgumentException("option " + flag + " needs a value");
        }
      }
      values.put(flag, value);
    }
    Settings settings = new Settings(values);
    settings.validate();
    return settings;
  }

  /** Defaults and these flags only (not the environment); for tests and embedding. */
  public static Settings of(String... args) {
    return load(List.of(args), Map.of(), new ArrayList<>());
  }

  private static String defaultOf(String flag) {
    return OPTIONS.stream().filter(o -> o.flag().equals(flag)).findFirst().map(Option::defaultValue).orElse(null);
  }

  private void validate() {
    httpPort();
    httpsPort();
    maxBodyBytes();
    historySize();
    historyTtlSeconds();
    keepaliveMillis();
    headerTimeoutMillis();
    bodyTimeoutMillis();
    idleTimeoutMillis();
    writeDelayMillis();
    retryMillis();
    slowClientMillis();
    slowClientBytes();
    httpInstances();
    redisClaimIdleMillis();
    redisStreamMaxLen();
    postgresUrl();
    postgresChannel();
    postgresOutboxTable();
    postgresPollMillis();
    freezeThresholdMillis();
    for (String secret : SECRETS) {
      if (!values.get(secret).isEmpty() && values.get(secret).getBytes(StandardCharsets.UTF_8).length < 32) {
        throw new IllegalArgumentException(secret + " must be at least 32 bytes (HS256 wants a 256-bit key)");
      }
    }
    corsOrigins();
    if (redisStream().isEmpty() || redisGroup().isEmpty()) {
      throw new IllegalArgumentException("--redis-stream and --redis-group must not be empty");
    }
  }

  public int httpPort() {
    return number("--http-port", Integer::parseInt, 0, 65535);
  }

  /** -1 when HTTPS is off. */
  public int httpsPort() {
    return number("--https-port", Integer::parseInt, -1, 65535);
  }

  public String host() {
    return values.get("--host");
  }

  public String nodeName() {
    String name = values.get("--node-name");
    return name.isEmpty() ? "localhost:" + httpPort() : name;
  }

  public String clusterConfig() {
    return values.get("--cluster-config");
  }

  /** Empty when Hazelcast's own address choice applies. */
  public String clusterHost() {
    return values.get("--cluster-host");
  }

  public String webroot() {
    return values.get("--webroot");
  }

  public String tlsCert() {
    return values.get("--tls-cert");
  }

  public String tlsKey() {
    return values.get("--tls-key");
  }

  public String redisUrl() {
    return values.get("--redis");
  }

  /** Empty: the JVM's default trust store. */
  public String redisTlsCa() {
    return values.get("--redis-tls-ca");
  }

  public boolean redisIngest() {
    return Boolean.parseBoolean(values.get("--redis-ingest"));
  }

  public String redisPattern() {
    return values.get("--redis-pattern");
  }

  public String redisStream() {
    return values.get("--redis-stream");
  }

  /** Where stream entries that can never be published are copied, with the reason. */
  public String redisDeadLetterStream() {
    return redisStream() + ":dead";
  }

  public String redisGroup() {
    return values.get("--redis-group");
  }

  public long redisClaimIdleMillis() {
    return number("--redis-claim-idle-millis", Long::parseLong, 100L, 3_600_000L);
  }

  /** 0: never trim. */
  public long redisStreamMaxLen() {
    return number("--redis-stream-maxlen", Long::parseLong, 0L, Long.MAX_VALUE);
  }

  /** Empty when nothing about PostgreSQL runs. */
  public String postgresUrl() {
    String url = values.get("--postgres-url").trim();
    if (!url.isEmpty() && !url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
      throw new IllegalArgumentException("--postgres-url must look like postgresql://USER:PASSWORD@HOST:PORT/DB, got '"
          + maskPostgresPassword(url) + "'");
    }
    return url;
  }

  public boolean postgresIngest() {
    return !postgresUrl().isEmpty();
  }

  public String postgresChannel() {
    String channel = values.get("--postgres-channel");
    if (channel.isEmpty() || channel.length() > 63) {
      throw new IllegalArgumentException("--postgres-channel must be 1 to 63 characters (a PostgreSQL identifier)");
    }
    return channel;
  }

  /**
   * The outbox table, {@code name} or {@code schema.name}, as written (unquoted identifiers are folded to lower
   * case by PostgreSQL, so only lower-case ones are taken); empty when there is no outbox.
   */
  public String postgresOutboxTable() {
    String table = values.get("--postgres-outbox-table");
    if (!table.isEmpty() && !table.matches("([a-z_][a-z0-9_]{0,62}\\.)?[a-z_][a-z0-9_]{0,57}")) {
      throw new IllegalArgumentException("--postgres-outbox-table must be a lower-case table name such as sse_outbox"
          + " or app.sse_outbox (letters, digits, _; the name at most 58 characters, so that NAME_dead fits), got '"
          + table + "'");
    }
    return table;
  }

  public long postgresPollMillis() {
    return number("--postgres-poll-millis", Long::parseLong, 100L, 3_600_000L);
  }

  public int maxBodyBytes() {
    return number("--max-body-bytes", Integer::parseInt, 1, 64 * 1024 * 1024);
  }

  /** Messages kept per namespace; 0 when history is off. */
  public int historySize() {
    return number("--history-size", Integer::parseInt, 0, 1_000_000);
  }

  public long historyTtlSeconds() {
    return number("--history-ttl-seconds", Long::parseLong, 1L, 7L * 24 * 3600);
  }

  public long keepaliveMillis() {
    return number("--keepalive-seconds", Long::parseLong, 1L, 3600L) * 1000;
  }

  /** Bounds on half-open connections; see http.ConnectionDeadlines. */
  public long headerTimeoutMillis() {
    return number("--header-timeout-seconds", Long::parseLong, 1L, 3600L) * 1000;
  }

  public long bodyTimeoutMillis() {
    return number("--body-timeout-seconds", Long::parseLong, 1L, 3600L) * 1000;
  }

  public long idleTimeoutMillis() {
    return number("--idle-timeout-seconds", Long::parseLong, 1L, 3600L) * 1000;
  }

  /** Write coalescing per event loop; see fanout.LoopFanout. */
  public long writeDelayMillis() {
    return number("--write-delay-millis", Long::parseLong, 0L, 10_000L);
  }

  public long retryMillis() {
    return number("--retry-millis", Long::parseLong, 0L, 3_600_000L);
  }

  public long slowClientMillis() {
    return number("--slow-client-millis", Long::parseLong, 1L, 3_600_000L);
  }

  public long slowClientBytes() {
    return number("--slow-client-bytes", Long::parseLong, 1L, Long.MAX_VALUE);
  }

  /** HTTP server verticle instances: one per core unless set. */
  public int httpInstances() {
    int configured = number("--http-instances", Integer::parseInt, 0, 1024);
    return configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
  }

  /** Shared pre-encoded HTTP/1.1 chunks written below Vert.x's encoder; see wire.Http1ChunkWriter. */
  public boolean directWrites() {
    return Boolean.parseBoolean(values.get("--direct-writes"));
  }

  /** The preferred network transport; see cluster.NetworkTransport. */
  public String transport() {
    return values.get("--transport");
  }

  /** Empty when HTTP publishing is open to anyone; see http.NamespaceTokens. */
  public String publishJwtSecret() {
    return values.get("--publish-jwt-secret");
  }

  /** Empty when subscribing is open to anyone; see http.NamespaceTokens. */
  public String subscribeJwtSecret() {
    return values.get("--subscribe-jwt-secret");
  }

  /** Whether tokens without {@code exp} are accepted (never expiring); see http.NamespaceTokens. */
  public boolean jwtAllowNoExp() {
    return Boolean.parseBoolean(values.get("--jwt-allow-no-exp"));
  }

  /**
   * Origins allowed to call this node from a browser, lower case: empty for none, {@code ["*"]} for any. Each
   * is {@code scheme://host[:port]} with nothing after it, as browsers send it in {@code Origin}.
   */
  public List<String> corsOrigins() {
    String value = values.get("--cors-origins").trim();
    if (value.equals("*")) {
      return List.of("*");
    }
    List<String> origins = new ArrayList<>();
    for (String part : value.split(",")) {
      String origin = part.trim().toLowerCase(Locale.ROOT);
      if (origin.isEmpty()) {
        continue;
      }
      if (!origin.matches("https?://[a-z0-9.\\[\\]:-]+")) {
        throw new IllegalArgumentException("--cors-origins: '" + part.trim() + "' is not an origin such as"
            + " https://app.example or http://localhost:3000 (no path, no trailing slash), or * for any");
      }
      origins.add(origin);
    }
    return List.copyOf(origins);
  }

  public boolean adminRemote() {
    return Boolean.parseBoolean(values.get("--admin-remote"));
  }

  /** Empty when only this machine (or everyone, with --admin-remote) reaches the admin data; see http.AdminAccess. */
  public String adminJwtSecret() {
    return values.get("--admin-jwt-secret");
  }

  /** 0 when the freeze watchdog is off; see cluster.IslandGuard. */
  public long freezeThresholdMillis() {
    long millis = number("--freeze-threshold-millis", Long::parseLong, 0L, 3_600_000L);
    if (millis > 0 && millis < 1000) {
      throw new IllegalArgumentException("--freeze-threshold-millis must be 0 (off) or at least 1000, got " + millis);
    }
    return millis;
  }

  public boolean demo() {
    return Boolean.parseBoolean(values.get("--demo"));
  }

  /** A copy with one setting changed; for tests. */
  public Settings with(String flag, String value) {
    if (!values.containsKey(flag)) {
      throw new IllegalArgumentException("unknown option " + flag);
    }
    Map<String, String> copy = new LinkedHashMap<>(values);
    copy.put(flag, value);
    Settings settings = new Settings(copy);
    settings.validate();
    return settings;
  }

  private <T extends Comparable<T>> T number(String flag, Function<String, T> parse, T min, T max) {
    String raw = values.get(flag);
    T value;
    try {
      value = parse.apply(raw.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " must be a number, got '" + raw + "'");
    }
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(flag + " must be between " + min + " and " + max + ", got " + raw);
    }
    return value;
  }

  /** One line per setting, for the start-up log (secrets masked). */
  public String describe() {
    StringBuilder out = new StringBuilder();
    for (Option option : OPTIONS) {
      String value = values.get(option.flag());
      if (option.flag().equals("--redis")) {
        value = value.replaceAll("//([^@/]*)@", "//***@");
      } else if (option.flag().equals("--postgres-url")) {
        value = maskPostgresPassword(value);
      } else if (SECRETS.contains(option.flag()) && !value.isEmpty()) {
        value = "*** (set)";
      }
      out.append(String.format("  %-22s %s%n", option.flag(), value));
    }
    return out.toString();
  }

  private static String maskPostgresPassword(String url) {
    return url.replaceAll("//([^:@/]*):[^@/]*@", "//$1:***@").replaceAll("(?i)([?&]password=)[^&]*", "$1***");
  }

  /** The --help text. */
  public static String help() {
    StringBuilder out = new StringBuilder();
    for (Option option : OPTIONS) {
      // Options without a default say in their help what applies instead.
      String fallback = option.defaultValue().isEmpty() ? "" : " (default: " + option.defaultValue() + ")";
      out.append(String.format("  %-22s %-20s %s%s%n", option.flag(), "$" + option.env(), option.help(), fallback));
    }
    return out.toString();
  }
}
