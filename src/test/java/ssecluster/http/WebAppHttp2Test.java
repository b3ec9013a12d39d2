package ssecluster.http;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.decoder.Decoder;
import com.aayushatharva.brotli4j.decoder.DecoderJNI;
import com.aayushatharva.brotli4j.decoder.DirectDecompress;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import ssecluster.Node;
import ssecluster.testsupport.Await;
import ssecluster.testsupport.CountingTls;
import ssecluster.testsupport.TestCluster;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SPA as HTTP clients see it, against a real node: server push and 103 Early Hints over h2 (TLS,
 * ALPN) and h2c, push disabled or already done, ETag/Last-Modified 304s, gzip and brotli, MIME types, the
 * SPA fallback and the service paths that must not fall back, path traversal, and TLS certificates.
 */
class WebAppHttp2Test {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Path WEBROOT = Path.of("webroot");
  private static final List<LogRecord> startLog = Collections.synchronizedList(new ArrayList<>());
  private static final Handler startLogCapture = capture(startLog, Level.INFO);

  private static TestCluster cluster;
  private static Node node;
  private static Vertx clients;

  /** WARNING and worse logged by our code, Vert.x or Netty while a test runs. */
  private final List<LogRecord> alarms = Collections.synchronizedList(new ArrayList<>());
  private final Handler alarmCapture = capture(alarms, Level.WARNING);
  private final List<HttpClient> openClients = new ArrayList<>();

  /** How a client reaches the node. */
  enum Transport {
    H2_TLS, H2C_PRIOR_KNOWLEDGE, H2C_UPGRADE, HTTP1_TLS, HTTP1
  }

  @BeforeAll
  static void startNode() {
    cluster = new TestCluster();
    Logger.getLogger("").addHandler(startLogCapture);
    try {
      node = cluster.start("--https-port", "0", "--node-name", "web-a");
    } finally {
      Logger.getLogger("").removeHandler(startLogCapture);
    }
    clients = cluster.clients();
  }

  @AfterAll
  static void stopNode() {
    cluster.close();
  }

  @BeforeEach
  void watchLogs() {
    Logger.getLogger("").addHandler(alarmCapture);
  }

  @AfterEach
  void closeClients() {
    Logger.getLogger("").removeHandler(alarmCapture);
    for (HttpClient client : openClients) {
      client.close();
    }
  }

  // ---- server push -------------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"H2_TLS", "H2C_PRIOR_KNOWLEDGE", "H2C_UPGRADE"})
  void getRootPushesEveryStylesheetAndModuleOfThePageWithTheBytesOfANormalGet(Transport transport) throws IOException {
    HttpClient client = client(transport, true);
    Exchange page = get(client, transport, "/", HttpHeaders.headers());

    assertEquals(HttpVersion.HTTP_2, page.version);
    assertEquals(200, page.status);
    assertArrayEquals(file("/index.html"), page.body.getBytes(), "GET / answers index.html");
    // Every module of the SPA is reachable from main.js and the page has one stylesheet: all are needed.
    assertEquals(new TreeSet<>(filesUnder("js", "css")), new TreeSet<>(page.pushes.keySet()),
        "one PUSH_PROMISE per stylesheet and ES module the page needs");
    for (Map.Entry<String, Fetched> push : page.pushes.entrySet()) {
      String path = push.getKey();
      Fetched pushed = push.getValue();
      assertEquals(200, pushed.status, "pushed " + path);
      assertArrayEquals(file(path), pushed.body.getBytes(), "pushed body of " + path + " equals the file");
      assertEquals(path.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8",
          pushed.headers.get("content-type"), "content type of pushed " + path);
      assertEquals(String.valueOf(Files.size(WEBROOT.resolve(path.substring(1)))), pushed.headers.get("content-length"));
      assertEquals("no-cache", pushed.headers.get("cache-control"));

      Exchange normal = get(client, transport, path, HttpHeaders.headers());
      assertArrayEquals(normal.body.getBytes(), pushed.body.getBytes(), "pushed and fetched " + path + " are the same bytes");
      for (String header : List.of("content-type", "content-length", "etag", "last-modified", "cache-control", "vary")) {
        assertEquals(normal.headers.get(header), pushed.headers.get(header), header + " of pushed " + path);
      }
    }
    assertTrue(page.headers.get("set-cookie").startsWith(IndexHandler.PUSH_COOKIE + "="),
        "the page marks the client as pushed: " + page.headers.get("set-cookie"));
    assertNothingAlarmingLogged();
  }

  @Test
  void pushedAssetsAreCompressedAsTheClientAccepts() throws IOException {
    HttpClient client = client(Transport.H2_TLS, true);
    Exchange page = get(client, Transport.H2_TLS, "/", HttpHeaders.headers().add("accept-encoding", "gzip"));
    Fetched css = page.pushes.get("/css/app.css");
    assertNotNull(css, "app.css pushed");
    assertEquals("gzip", css.headers.get("content-encoding"));
    assertArrayEquals(file("/css/app.css"), gunzip(css.body.getBytes()));
    Exchange normal = get(client, Transport.H2_TLS, "/css/app.css", HttpHeaders.headers().add("accept-encoding", "gzip"));
    assertArrayEquals(normal.body.getBytes(), css.body.getBytes(), "pushed gzip bytes are those of a GET");
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"H2_TLS", "H2C_PRIOR_KNOWLEDGE"})
  void aClientWithPushDisabledGetsNoPushAndStillThePage(Transport transport) throws IOException {
    HttpClient client = client(transport, false);
    Exchange page = get(client, transport, "/", HttpHeaders.headers());
    assertEquals(200, page.status);
    assertArrayEquals(file("/index.html"), page.body.getBytes());
    assertEquals(Map.of(), page.pushes, "no PUSH_PROMISE to a client that disabled push");
    assertNull(page.headers.get("set-cookie"), "nothing was pushed, so no push cookie");
    assertEquals(1, page.earlyHints.size(), "103 Early Hints do not depend on push");
    assertNothingAlarmingLogged();
  }

  @Test
  void aClientThatWasPushedTheseVersionsIsNotPushedThemAgain() {
    HttpClient client = client(Transport.H2_TLS, true);
    Exchange first = get(client, Transport.H2_TLS, "/", HttpHeaders.headers());
    assertFalse(first.pushes.isEmpty());
    String cookie = first.headers.get("set-cookie").split(";", 2)[0];

    Exchange second = get(client, Transport.H2_TLS, "/", HttpHeaders.headers().add("cookie", cookie));
    assertEquals(200, second.status);
    assertEquals(Map.of(), second.pushes, "the cookie names the pushed versions: no second push");
    assertEquals(1, second.earlyHints.size(), "still hinted");

    Exchange stale = get(client, Transport.H2_TLS, "/", HttpHeaders.headers().add("cookie", IndexHandler.PUSH_COOKIE + "=0000"));
    assertEquals(first.pushes.keySet(), stale.pushes.keySet(), "a cookie for other versions gets the pushes again");
  }

  @Test
  void aClientThatResetsPushedStreamsCostsNothingAndLogsNothingAlarming() throws Exception {
    // The JDK's HTTP/2 client cancels (RST_STREAM) every promise its handler does not accept. Vert.x's
    // client is not used here: on Netty 4.2.18 it fails its own connection, now and then, when the body
    // of a push it has just reset arrives (UnsupportedOperationException in the local flow controller).
    CountingTls tls = new CountingTls();
    java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
        .version(java.net.http.HttpClient.Version.HTTP_2).sslContext(tls.context()).connectTimeout(WAIT).build();
    List<String> refused = Collections.synchronizedList(new ArrayList<>());
    String origin = "https://127.0.0.1:" + node.httpsPort();
    java.net.http.HttpResponse<byte[]> page = client.sendAsync(
            java.net.http.HttpRequest.newBuilder(URI.create(origin + "/")).timeout(WAIT).build(),
            java.net.http.HttpResponse.BodyHandlers.ofByteArray(),
            (initiating, promised, acceptor) -> refused.add(promised.uri().getPath()))
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(200, page.statusCode());
    assertEquals(java.net.http.HttpClient.Version.HTTP_2, page.version());
    assertArrayEquals(file("/index.html"), page.body());
    assertFalse(refused.isEmpty(), "pushes were promised (and refused by the client)");

    // The connection is still good for the next request: the server did not close it.
    java.net.http.HttpResponse<byte[]> next = client.send(
        java.net.http.HttpRequest.newBuilder(URI.create(origin + "/js/main.js")).timeout(WAIT).build(),
        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, next.statusCode());
    assertArrayEquals(file("/js/main.js"), next.body());
    assertEquals(1, tls.connections(), "both requests on one connection");
    assertNothingAlarmingLogged();
  }

  // ---- 103 Early Hints ---------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"H2_TLS", "H2C_PRIOR_KNOWLEDGE"})
  void earlyHintsWithAPreloadLinkPerAssetArriveBeforeThePage(Transport transport) {
    Exchange page = get(client(transport, false), transport, "/", HttpHeaders.headers());
    assertEquals(List.of("103", "200"), page.order, "103 Early Hints first, then the page");
    List<String> links = page.earlyHints.get(0).getAll("link");
    List<String> expected = new ArrayList<>();
    for (String path : filesUnder("js", "css")) {
      expected.add(path.endsWith(".css") ? "<" + path + ">; rel=preload; as=style" : "<" + path + ">; rel=modulepreload");
    }
    assertEquals(new TreeSet<>(expected), new TreeSet<>(links), "one Link per asset, modulepreload for ES modules");
    assertEquals(links.get(0), "</css/app.css>; rel=preload; as=style", "document order: the stylesheet first");
    assertEquals(links.get(1), "</js/main.js>; rel=modulepreload", "then the entry module");
    assertEquals(links, page.headers.getAll("link"), "the 200 carries the same Link headers");
  }

  @Test
  void http1GetsLinkHeadersButNo103() {
    Exchange page = get(client(Transport.HTTP1, false), Transport.HTTP1, "/", HttpHeaders.headers());
    assertEquals(HttpVersion.HTTP_1_1, page.version);
    assertEquals(List.of("200"), page.order, "no 103 on HTTP/1.1");
    assertEquals(filesUnder("js", "css").size(), page.headers.getAll("link").size());
  }

  // ---- TLS, ALPN, HTTP/2 settings ----------------------------------------------------------------------

  @Test
  void httpsSpeaksH2AndHttp11ThroughAlpnWithManyConcurrentStreams() {
    Exchange h2 = get(client(Transport.H2_TLS, false), Transport.H2_TLS, "/health", HttpHeaders.headers());
    assertEquals(HttpVersion.HTTP_2, h2.version);
    assertEquals("web-a", new JsonObject(h2.body).getString("node"));
    assertTrue(h2.serverMaxConcurrentStreams >= 1000,
        "one browser connection can hold many EventSources: max concurrent streams " + h2.serverMaxConcurrentStreams);

    Exchange http1 = get(client(Transport.HTTP1_TLS, false), Transport.HTTP1_TLS, "/", HttpHeaders.headers());
    assertEquals(HttpVersion.HTTP_1_1, http1.version, "a client offering only http/1.1 through ALPN gets it");
    assertArrayEquals(file("/index.html"), http1.body.getBytes());

    Exchange h2c = get(client(Transport.H2C_PRIOR_KNOWLEDGE, false), Transport.H2C_PRIOR_KNOWLEDGE, "/health", HttpHeaders.headers());
    assertTrue(h2c.serverMaxConcurrentStreams >= 1000, "h2c too: " + h2c.serverMaxConcurrentStreams);
  }

  @Test
  void withoutACertificateTheNodeMakesASelfSignedOneAndSaysSo() {
    assertTrue(startLog.stream().anyMatch(r -> r.getMessage() != null && r.getMessage().contains("self-signed")),
        "the start-up log says HTTPS uses a self-signed certificate");
  }

  @Test
  void pemCertificateAndKeyConfigureTheHttpsCertificate() throws Exception {
    SelfSignedCertificate pem = SelfSignedCertificate.create("pem.example");
    try {
      Node pemNode = cluster.start("--https-port", "0", "--tls-cert", pem.certificatePath(), "--tls-key", pem.privateKeyPath());
      try {
        HttpClient client = track(clients.createHttpClient(new HttpClientOptions().setSsl(true).setUseAlpn(true)
            .setProtocolVersion(HttpVersion.HTTP_2).setTrustAll(true).setVerifyHost(false)));
        X509Certificate served = Await.result(client.request(new RequestOptions().setHost("localhost")
                .setPort(pemNode.httpsPort()).setURI("/health"))
            .compose(request -> request.send().map(response -> servedCertificate(request.connection()))),
            WAIT, "GET /health over TLS");
        X509Certificate configured = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(Path.of(pem.certificatePath()))));
        assertEquals(configured, served, "the node serves the PEM certificate it was given");
      } finally {
        cluster.stop(pemNode);
      }
    } finally {
      pem.delete();
    }
  }

  // ---- static serving ----------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"HTTP1", "H2C_PRIOR_KNOWLEDGE"})
  void etagAndLastModifiedRevalidateTo304(Transport transport) {
    HttpClient client = client(transport, false);
    Exchange full = get(client, transport, "/js/main.js", HttpHeaders.headers());
    String etag = full.headers.get("etag");
    String lastModified = full.headers.get("last-modified");
    assertTrue(etag.matches("\"[A-Za-z0-9_-]+\""), "a strong ETag: " + etag);
    assertNotNull(lastModified);

    Exchange byEtag = get(client, transport, "/js/main.js", HttpHeaders.headers().add("if-none-match", etag));
    assertEquals(304, byEtag.status);
    assertEquals(0, byEtag.body.length());
    assertEquals(etag, byEtag.headers.get("etag"));
    assertEquals("no-cache", byEtag.headers.get("cache-control"));

    Exchange byDate = get(client, transport, "/js/main.js", HttpHeaders.headers().add("if-modified-since", lastModified));
    assertEquals(304, byDate.status);

    Exchange changed = get(client, transport, "/js/main.js", HttpHeaders.headers().add("if-none-match", "\"other\""));
    assertEquals(200, changed.status, "another ETag means the client's copy is stale");
    assertArrayEquals(file("/js/main.js"), changed.body.getBytes());

    Exchange page = get(client, transport, "/", HttpHeaders.headers().add("if-none-match", get(client, transport, "/", HttpHeaders.headers()).headers.get("etag")));
    assertEquals(304, page.status, "index.html revalidates too");
    assertEquals(List.of(), page.earlyHints, "no hints for a page the client already has");
  }

  @Test
  void gzipAndBrotliAreNegotiatedAndDecodeToTheFile() throws IOException {
    HttpClient client = client(Transport.HTTP1, false);
    byte[] css = file("/css/app.css");

    Exchange gzip = get(client, Transport.HTTP1, "/css/app.css", HttpHeaders.headers().add("accept-encoding", "gzip, deflate"));
    assertEquals("gzip", gzip.headers.get("content-encoding"));
    assertEquals("accept-encoding", gzip.headers.get("vary").toLowerCase());
    assertTrue(gzip.body.length() < css.length, "compressed");
    assertEquals(String.valueOf(gzip.body.length()), gzip.headers.get("content-length"));
    assertArrayEquals(css, gunzip(gzip.body.getBytes()));

    Exchange identity = get(client, Transport.HTTP1, "/css/app.css", HttpHeaders.headers());
    assertNull(identity.headers.get("content-encoding"));
    assertArrayEquals(css, identity.body.getBytes());
    assertFalse(identity.headers.get("etag").equals(gzip.headers.get("etag")), "each encoding has its own ETag");

    Exchange refused = get(client, Transport.HTTP1, "/css/app.css", HttpHeaders.headers().add("accept-encoding", "gzip;q=0, br;q=0"));
    assertNull(refused.headers.get("content-encoding"), "q=0 refuses an encoding");

    if (Brotli4jLoader.isAvailable()) {
      Exchange br = get(client, Transport.HTTP1, "/css/app.css", HttpHeaders.headers().add("accept-encoding", "gzip, deflate, br"));
      assertEquals("br", br.headers.get("content-encoding"), "brotli preferred when accepted");
      DirectDecompress decoded = Decoder.decompress(br.body.getBytes());
      assertEquals(DecoderJNI.Status.DONE, decoded.getResultStatus());
      assertArrayEquals(css, decoded.getDecompressedData());
    } else {
      System.err.println("brotli4j has no native library for this platform: brotli part of the test not run");
    }
  }

  @Test
  void eventStreamsAreNeverCompressed() {
    HttpClient client = client(Transport.HTTP1, false);
    String firstChunk = Await.result(client.request(options(Transport.HTTP1, "/subscribe/nocompress",
            HttpHeaders.headers().add("accept-encoding", "gzip, br")))
        .compose(request -> request.send().compose(response -> {
          assertEquals("text/event-stream", response.getHeader("content-type"));
          assertNull(response.getHeader("content-encoding"), "SSE frames go out as they are");
          Promise<String> chunk = Promise.promise();
          response.handler(buffer -> chunk.tryComplete(buffer.toString(StandardCharsets.UTF_8)));
          return chunk.future().onComplete(done -> request.connection().close());
        })), WAIT, "the first bytes of an event stream");
    assertTrue(firstChunk.startsWith("retry:"), "plain text on the wire: " + firstChunk);
  }

  @Test
  void mimeTypesAndHeadRequests() {
    HttpClient client = client(Transport.HTTP1, false);
    assertEquals("image/svg+xml; charset=utf-8", get(client, Transport.HTTP1, "/favicon.svg", HttpHeaders.headers()).headers.get("content-type"));
    assertEquals("text/html; charset=utf-8", get(client, Transport.HTTP1, "/index.html", HttpHeaders.headers()).headers.get("content-type"));
    assertEquals("nosniff", get(client, Transport.HTTP1, "/js/dom.js", HttpHeaders.headers()).headers.get("x-content-type-options"));

    Exchange head = get(client, Transport.HTTP1, HttpMethod.HEAD, "/js/main.js", HttpHeaders.headers());
    assertEquals(200, head.status);
    assertEquals(String.valueOf(file("/js/main.js").length), head.headers.get("content-length"));
    assertEquals(0, head.body.length());
  }

  @Test
  void unknownSpaPathsAnswerTheAppAndServicePathsAnswerRealErrors() {
    HttpClient client = client(Transport.HTTP1, false);
    Exchange spa = get(client, Transport.HTTP1, "/namespaces/pets", HttpHeaders.headers());
    assertEquals(200, spa.status);
    assertArrayEquals(file("/index.html"), spa.body.getBytes(), "an SPA route answers index.html");

    Exchange missingScript = get(client, Transport.HTTP1, "/js/missing.js", HttpHeaders.headers());
    assertEquals(404, missingScript.status, "a missing file is not answered with HTML");
    assertEquals("application/json", missingScript.headers.get("content-type"));

    Exchange publishGet = get(client, Transport.HTTP1, "/publish/pets", HttpHeaders.headers().add("accept", "text/html"));
    assertEquals(405, publishGet.status);
    assertEquals("POST", publishGet.headers.get("allow"));
    assertEquals(405, new JsonObject(publishGet.body).getInteger("status"));

    Exchange admin = get(client, Transport.HTTP1, "/admin/nothing-here", HttpHeaders.headers().add("accept", "text/html"));
    assertEquals(404, admin.status, "/admin is the service's, never the SPA's");
    assertEquals(404, new JsonObject(admin.body).getInteger("status"));

    Exchange badNamespace = get(client, Transport.HTTP1, "/subscribe/bad%20name", HttpHeaders.headers().add("accept", "text/html"));
    assertEquals(400, badNamespace.status, "/subscribe paths are the SSE endpoint's, even invalid ones");
  }

  @Test
  void pathTraversalFindsNothingOutsideWebroot() {
    HttpClient client = client(Transport.HTTP1, false);
    for (String path : List.of("/../pom.xml", "/js/../../pom.xml", "/%2e%2e/pom.xml", "/..%2fpom.xml", "/js/..%2f..%2fpom.xml",
        "/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/..%5cpom.xml")) {
      Exchange attempt = get(client, Transport.HTTP1, path, HttpHeaders.headers());
      String body = attempt.body.toString(StandardCharsets.UTF_8);
      assertFalse(body.contains("<artifactId>") || body.contains("root:"), path + " leaked a file: " + body);
      assertTrue(attempt.status == 404 || attempt.status == 400, path + " answered " + attempt.status);
    }
  }

  // ---- helpers -----------------------------------------------------------------------------------------

  /** One response, the 103s before it, the pushes it came with, and the order the client saw them in. */
  private record Exchange(HttpVersion version, int status, MultiMap headers, Buffer body, List<MultiMap> earlyHints,
                          List<String> order, Map<String, Fetched> pushes, long serverMaxConcurrentStreams) {
  }

  private record Fetched(int status, MultiMap headers, Buffer body) {
  }

  private HttpClient client(Transport transport, boolean pushEnabled) {
    HttpClientOptions options = new HttpClientOptions()
        .setInitialSettings(new Http2Settings().setPushEnabled(pushEnabled))
        .setProtocolVersion(transport == Transport.HTTP1 || transport == Transport.HTTP1_TLS ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(transport == Transport.H2C_UPGRADE);
    if (transport == Transport.H2_TLS || transport == Transport.HTTP1_TLS) {
      options.setSsl(true).setUseAlpn(true).setTrustAll(true).setVerifyHost(false);
    }
    return track(clients.createHttpClient(options));
  }

  private HttpClient track(HttpClient client) {
    openClients.add(client);
    return client;
  }

  private static RequestOptions options(Transport transport, String path, MultiMap headers) {
    boolean tls = transport == Transport.H2_TLS || transport == Transport.HTTP1_TLS;
    return new RequestOptions().setHost("localhost").setPort(tls ? node.httpsPort() : node.httpPort())
        .setURI(path).setHeaders(headers);
  }

  private static Exchange get(HttpClient client, Transport transport, String path, MultiMap headers) {
    return get(client, transport, HttpMethod.GET, path, headers);
  }

  private static Exchange get(HttpClient client, Transport transport, HttpMethod method, String path, MultiMap headers) {
    List<Future<Map.Entry<String, Fetched>>> pushes = Collections.synchronizedList(new ArrayList<>());
    List<MultiMap> earlyHints = Collections.synchronizedList(new ArrayList<>());
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    Exchange exchange = Await.result(client.request(options(transport, path, headers).setMethod(method))
        .compose(request -> {
          request.pushHandler(pushed -> pushes.add(pushed.response()
              .compose(response -> response.body()
                  .map(body -> Map.entry(pushed.getURI(), new Fetched(response.statusCode(), response.headers(), body))))));
          request.earlyHintsHandler(hints -> {
            earlyHints.add(hints);
            order.add("103");
          });
          return request.send().compose(response -> {
            order.add(String.valueOf(response.statusCode()));
            long streams = response.version() == HttpVersion.HTTP_2
                ? request.connection().remoteSettings().getMaxConcurrentStreams() : -1;
            return response.body().map(body -> new Exchange(response.version(), response.statusCode(), response.headers(),
                body, earlyHints, order, null, streams));
          });
        }), WAIT, method + " " + path);
    // Every PUSH_PROMISE precedes the page's body, so all pushes are known once the body has arrived.
    List<Map.Entry<String, Fetched>> pushed = Await.result(Future.all(new ArrayList<>(pushes)).map(all -> all.<Map.Entry<String, Fetched>>list()),
        WAIT, "pushed responses of " + path);
    Map<String, Fetched> byPath = new TreeMap<>();
    pushed.forEach(entry -> byPath.put(entry.getKey(), entry.getValue()));
    return new Exchange(exchange.version, exchange.status, exchange.headers, exchange.body, List.copyOf(earlyHints),
        List.copyOf(order), byPath, exchange.serverMaxConcurrentStreams);
  }

  private static byte[] file(String path) {
    try {
      return Files.readAllBytes(WEBROOT.resolve(path.substring(1)));
    } catch (IOException e) {
      throw new AssertionError("cannot read webroot" + path, e);
    }
  }

  /** URL paths of the files under these webroot folders. */
  private static List<String> filesUnder(String... folders) {
    List<String> paths = new ArrayList<>();
    for (String folder : folders) {
      try (Stream<Path> files = Files.walk(WEBROOT.resolve(folder))) {
        paths.addAll(files.filter(Files::isRegularFile)
            .map(file -> "/" + WEBROOT.relativize(file).toString().replace('\\', '/'))
            .collect(Collectors.toList()));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
    return paths;
  }

  private static X509Certificate servedCertificate(io.vertx.core.http.HttpConnection connection) {
    try {
      return (X509Certificate) connection.peerCertificates().get(0);
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      throw new AssertionError("no server certificate", e);
    }
  }

  private void assertNothingAlarmingLogged() {
    List<String> logged;
    synchronized (alarms) {
      logged = alarms.stream().map(r -> r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage()
          + (r.getThrown() != null ? " " + r.getThrown() : "")).collect(Collectors.toList());
    }
    assertEquals(List.of(), logged, "nothing logged at WARNING or worse");
  }

  private static byte[] gunzip(byte[] bytes) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return in.readAllBytes();
    }
  }

  private static Handler capture(List<LogRecord> into, Level atLeast) {
    return new Handler() {
      @Override
      public void publish(LogRecord record) {
        String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
        boolean ours = logger.startsWith("ssecluster") || logger.startsWith("io.vertx") || logger.startsWith("io.netty");
        if (record.getLevel().intValue() >= atLeast.intValue() && ours) {
          into.add(record);
        }
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
  }
}
