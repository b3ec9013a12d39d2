package ssecluster.http;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.Encoder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.MimeMapping;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The single-page app of {@code webroot/}, read once when the node starts (on a worker thread, before the
 * HTTP servers listen) and then served from memory: no request ever touches the file system, so there is
 * no path to traverse and nothing to block an event loop. Each file is kept with its MIME type, a strong
 * ETag per encoding, its Last-Modified time and, for compressible types, gzip and brotli forms made once
 * at the highest levels. Also found here, from index.html, are the assets {@code GET /} pushes and
 * preloads (see {@link PageDependencies}).
 *
 * <p>A snapshot: files changed after start are seen after a restart. The app is small by design; files
 * over {@link #MAX_FILE_BYTES} and dotfiles are skipped with a log line.
 */
public final class StaticAssets {

  private static final Logger log = Logger.getLogger(StaticAssets.class.getName());

  static final String INDEX = "/index.html";
  static final long MAX_FILE_BYTES = 16L * 1024 * 1024;
  /** A compressed form is kept only when it saves at least this share of the bytes. */
  private static final double MIN_SAVING = 0.05;
  /** Below this a file fits in one packet anyway; compressing it only costs the client CPU. */
  private static final int MIN_COMPRESS_BYTES = 256;
  private static final Set<String> COMPRESSIBLE = Set.of(
      "application/javascript", "application/json", "application/manifest+json", "application/xml",
      "image/svg+xml", "image/x-icon", "application/wasm");
  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

  /** One encoded form of a file: the exact bytes sent, and the ETag that names them. */
  record Representation(Buffer body, String contentEncoding, String etag) {
  }

  /** One file of webroot. */
  static final class Asset {
    final String path;
    final String contentType;
    final long lastModifiedSeconds;
    final String lastModified;
    final Representation identity;
    final Representation gzip;
    final Representation brotli;

    private Asset(String path, String contentType, long lastModifiedSeconds, Representation identity,
                  Representation gzip, Representation brotli) {
      this.path = path;
      this.contentType = contentType;
      this.lastModifiedSeconds = lastModifiedSeconds;
      this.lastModified = HTTP_DATE.format(Instant.ofEpochSecond(lastModifiedSeconds));
      this.identity = identity;
      this.gzip = gzip;
      this.brotli = brotli;
    }

    boolean hasEncodings() {
      return gzip != null || brotli != null;
    }

    /** Every ETag of this file: a conditional request may hold any of them. */
    List<Representation> representations() {
      List<Representation> all = new ArrayList<>(3);
      all.add(identity);
      if (gzip != null) {
        all.add(gzip);
      }
      if (brotli != null) {
        all.add(brotli);
      }
      return all;
    }
  }

  private final Path root;
  private final Map<String, Asset> assets;
  private final List<PageDependencies.Dependency> indexDependencies;
  private final String pushDigest;

  private StaticAssets(Path root, Map<String, Asset> assets, List<PageDependencies.Dependency> indexDependencies) {
    this.root = root;
    this.assets = assets;
    this.indexDependencies = indexDependencies;
    StringBuilder etags = new StringBuilder();
    for (PageDependencies.Dependency dependency : indexDependencies) {
      etags.append(assets.get(dependency.path()).identity.etag());
    }
    this.pushDigest = HexFormat.of().formatHex(sha256(etags.toString().getBytes(StandardCharsets.UTF_8)), 0, 8);
  }

  /** Reads webroot on a worker thread. */
  public static Future<StaticAssets> load(Vertx vertx, String webroot) {
    return vertx.executeBlocking(() -> load(Path.of(webroot)));
  }

  /** Reads webroot; blocking, so never call it on an event loop. A missing webroot gives an empty app. */
  public static StaticAssets load(Path webroot) throws IOException {
    Path root = webroot.toAbsolutePath().normalize();
    Map<String, Asset> assets = new LinkedHashMap<>();
    if (!Files.isDirectory(root)) {
      log.warning("webroot " + root + " is not a directory: the single-page app is not served (see --webroot)");
      return new StaticAssets(root, Map.of(), List.of());
    }
    boolean brotli = brotliAvailable();
    Path realRoot = root.toRealPath();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
    }
    for (Path file : files) {
      Path relative = root.relativize(file);
      String path = "/" + relative.toString().replace(java.io.File.separatorChar, '/');
      if (path.contains("/.")) {
        log.fine("Not serving dotfile " + path);
        continue;
      }
      if (!file.toRealPath().startsWith(realRoot)) {
        log.warning("Not serving " + path + ": it links outside webroot");
        continue;
      }
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      if (attributes.size() > MAX_FILE_BYTES) {
        log.warning("Not serving " + path + ": larger than " + MAX_FILE_BYTES + " bytes");
        continue;
      }
      byte[] bytes = Files.readAllBytes(file);
      assets.put(path, asset(path, bytes, attributes.lastModifiedTime().toInstant().getEpochSecond(), brotli));
    }
    List<PageDependencies.Dependency> dependencies = List.of();
    Asset index = assets.get(INDEX);
    if (index == null) {
      log.warning("webroot " + root + " has no index.html: GET / answers 404");
    } else {
      dependencies = PageDependencies.of(INDEX, index.identity.body().toString(StandardCharsets.UTF_8),
          path -> assets.containsKey(path) ? assets.get(path).identity.body().getBytes() : null);
    }
    StaticAssets loaded = new StaticAssets(root, Collections.unmodifiableMap(assets), dependencies);
    log.info(loaded.describe(brotli));
    return loaded;
  }

  private static Asset asset(String path, byte[] bytes, long lastModifiedSeconds, boolean brotli) {
    String type = MimeMapping.mimeTypeForFilename(path);
    if (type == null) {
      type = "application/octet-stream";
    }
    String base = Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(bytes)).substring(0, 22);
    Representation identity = new Representation(Buffer.buffer(bytes), null, '"' + base + '"');
    Representation gzip = null;
    Representation br = null;
    if (compressible(type) && bytes.length >= MIN_COMPRESS_BYTES) {
      gzip = keepIfSmaller(bytes, gzip(bytes), "gzip", base);
      if (brotli) {
        br = keepIfSmaller(bytes, brotli(bytes), "br", base);
      }
    }
    String contentType = type.startsWith("text/") || type.equals("application/json") || type.equals("image/svg+xml")
        || type.equals("application/manifest+json") ? type + "; charset=utf-8" : type;
    return new Asset(path, contentType, lastModifiedSeconds, identity, gzip, br);
  }

  private static boolean compressible(String type) {
    return type.startsWith("text/") || COMPRESSIBLE.contains(type);
  }

  private static Representation keepIfSmaller(byte[] original, byte[] compressed, String encoding, String base) {
    if (compressed == null || compressed.length > original.length * (1 - MIN_SAVING)) {
      return null;
    }
    // Each encoding is a different byte sequence, so it gets its own strong ETag.
    return new Representation(Buffer.buffer(compressed), encoding, '"' + base + "-" + encoding + '"');
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 2 + 64);
    try (GZIPOutputStream gzip = new GZIPOutputStream(out) {
      {
        def.setLevel(Deflater.BEST_COMPRESSION);
      }
    }) {
      gzip.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] brotli(byte[] bytes) {
    try {
      return Encoder.compress(bytes, new Encoder.Parameters().setQuality(11).setMode(Encoder.Mode.TEXT));
    } catch (IOException | RuntimeException e) {
      log.warning("brotli failed, serving gzip only for this file: " + e);
      return null;
    }
  }

  private static boolean brotliAvailable() {
    try {
      if (Brotli4jLoader.isAvailable()) {
        return true;
      }
      log.info("brotli is not available on this platform (" + Brotli4jLoader.getUnavailabilityCause()
          + "): static files are served with gzip only");
    } catch (LinkageError e) {
      log.info("brotli is not available on this platform (" + e + "): static files are served with gzip only");
    }
    return false;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private String describe(boolean brotli) {
    long identity = 0;
    long gzip = 0;
    long br = 0;
    for (Asset asset : assets.values()) {
      identity += asset.identity.body().length();
      gzip += (asset.gzip != null ? asset.gzip : asset.identity).body().length();
      br += (asset.brotli != null ? asset.brotli : asset.identity).body().length();
    }
    return "Static assets: " + assets.size() + " files from " + root + " (" + kib(identity) + ", gzip " + kib(gzip)
        + (brotli ? ", br " + kib(br) : "") + "); GET / pushes and preloads "
        + (indexDependencies.isEmpty() ? "nothing" : indexDependencies.stream()
            .map(d -> d.path() + " (" + d.kind().name().toLowerCase(Locale.ROOT) + ")").collect(Collectors.joining(", ")));
  }

  private static String kib(long bytes) {
    return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
  }

  /** The file at a URL path ({@code /js/main.js}), or null. */
  Asset find(String path) {
    return assets.get(path);
  }

  /** index.html, or null when webroot has none. */
  Asset index() {
    return assets.get(INDEX);
  }

  /** What {@code GET /} pushes and preloads, in document order. */
  List<PageDependencies.Dependency> indexDependencies() {
    return indexDependencies;
  }

  /**
   * Names the current set of pushed files and their versions: a client holding a cookie with this value was
   * already pushed exactly these bytes. Changes whenever one of them changes.
   */
  String pushDigest() {
    return pushDigest;
  }

  /** URL paths of every file, for tests and logs. */
  public Set<String> paths() {
    return assets.keySet();
  }
}
