package ssecluster.ingest.postgres;

import io.vertx.core.json.JsonObject;
import ssecluster.postgresserver.LocalPostgresServer;
import ssecluster.testsupport.Http;
import ssecluster.testsupport.TestCluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A real PostgreSQL server of the test's own, on a free port (never 5432, where a demo may run), with its data in
 * a directory of its own that outlives restarts, plus JDBC to play the application: statements in transactions
 * that commit or roll back, and looking at what the nodes left in the database. Its log is
 * {@code target/postgres-<port>.log}.
 */
public final class TestPostgres implements AutoCloseable {

  private final int port = TestCluster.freePort();
  private final Path data;
  private final Path log = Path.of("target", "postgres-" + port + ".log");
  private LocalPostgresServer server;

  public TestPostgres() {
    try {
      data = Files.createTempDirectory("sse-test-postgres");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    start();
  }

  public String url() {
    return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
  }

  /** (Re)starts the server on the same port and data: what was committed before is still there. */
  public void start() {
    try {
      server = LocalPostgresServer.start(port, data, Redirect.appendTo(log.toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A fast shutdown: every session is ended, committed data stays. */
  public void stop() {
    try {
      server.stop();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Connection connect() throws SQLException {
    return server.connect();
  }

  /** Runs the statements in one transaction, committed or rolled back. */
  public void transaction(boolean commit, String... statements) {
    try (Connection connection = connect()) {
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        for (String sql : statements) {
          statement.execute(sql);
        }
      }
      if (commit) {
        connection.commit();
      } else {
        connection.rollback();
      }
    } catch (SQLException e) {
      throw new AssertionError("SQL failed: " + e.getMessage(), e);
    }
  }

  /** Runs each statement on its own (autocommit). */
  public void execute(String... statements) {
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new AssertionError("SQL failed: " + e.getMessage(), e);
    }
  }

  /** The first column of every row of a query, as text. */
  public List<String> column(String query) {
    List<String> values = new ArrayList<>();
    try (Connection connection = connect(); Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery(query)) {
      while (rows.next()) {
        values.add(rows.getString(1));
      }
    } catch (SQLException e) {
      throw new AssertionError("SQL failed: " + e.getMessage(), e);
    }
    return values;
  }

  public long count(String query) {
    return Long.parseLong(column(query).get(0));
  }

  /** Sessions the nodes hold for a purpose ({@code listener}, {@code outbox}), as pg_stat_activity lists them. */
  public long sessions(String purpose) {
    return count("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sse-cluster " + purpose + "'");
  }

  /** A text as an SQL string literal. */
  public static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  @Override
  public void close() {
    try {
      server.stopAndDelete();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- what the nodes tell a user ----

  static JsonObject health(int httpPort) {
    HttpResponse<String> response = Http.get(httpPort, "/health");
    if (response.statusCode() != 200) {
      throw new AssertionError("/health answered " + response.statusCode() + ": " + response.body());
    }
    return new JsonObject(response.body());
  }

  static JsonObject postgresHealth(int httpPort) {
    return health(httpPort).getJsonObject("postgres");
  }

  static long sumOverNodes(List<Integer> httpPorts, String postgresField) {
    long sum = 0;
    for (int port : httpPorts) {
      sum += postgresHealth(port).getLong(postgresField);
    }
    return sum;
  }
}
