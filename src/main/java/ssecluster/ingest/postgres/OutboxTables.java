package ssecluster.ingest.postgres;

import io.vertx.core.Future;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.logging.Logger;

/**
 * The outbox table, its dead-letter table ({@code <table>_dead}) and the trigger that NOTIFYs channel
 * {@code <table>} when rows are committed into it: their names as SQL, and creating what is missing. The names
 * are checked (lower-case identifiers, see config.Settings), and quoted here all the same.
 */
final class OutboxTables {

  private static final Logger log = Logger.getLogger(OutboxTables.class.getName());

  /** As written in the settings, {@code sse_outbox} or {@code app.sse_outbox}; also the wake-up channel. */
  final String name;
  final String table;
  final String deadTable;
  private final String schemaPrefix;
  private final String bareName;

  OutboxTables(String name) {
    this.name = name;
    int dot = name.indexOf('.');
    schemaPrefix = dot < 0 ? "" : quote(name.substring(0, dot)) + ".";
    bareName = name.substring(dot + 1);
    table = schemaPrefix + quote(bareName);
    deadTable = schemaPrefix + quote(bareName + "_dead");
  }

  /** The channel a commit of new rows NOTIFYs, which wakes the drain. */
  String channel() {
    return name;
  }

  /**
   * Creates the tables and the trigger where missing, in one transaction that holds an advisory lock, so that
   * nodes starting together do not trip over each other. A database user that may not create them can still
   * drain tables that exist: then only a warning is logged.
   */
  Future<Void> create(PgConnection connection) {
    return connection.begin().compose(transaction -> connection
        .preparedQuery("SELECT pg_advisory_xact_lock(hashtext($1))").execute(Tuple.of("sse-cluster schema " + name))
        .compose(v -> connection.query(ddl()).execute())
        .compose(v -> transaction.commit())
        .recover(failed -> transaction.rollback().otherwiseEmpty().compose(v -> Future.failedFuture(failed))))
        .recover(failed -> exist(connection).compose(exist -> {
          if (!exist) {
            return Future.failedFuture(failed);
          }
          log.warning("Could not create or check the outbox tables and trigger of " + name + " ("
              + PostgresConnections.describe(failed) + "); they exist, so draining goes on. Without the trigger,"
              + " new rows are found by polling only");
          return Future.succeededFuture();
        }));
  }

  private Future<Boolean> exist(PgConnection connection) {
    return connection.preparedQuery("SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL")
        .execute(Tuple.of(table, deadTable))
        .map(rows -> {
          Row row = rows.iterator().next();
          return row.getBoolean(0);
        });
  }

  private String ddl() {
    String function = schemaPrefix + quote(bareName + "_notify");
    String trigger = quote(bareName + "_notify");
    // Without the notices ("already exists, skipping") the client would log as warnings at every takeover.
    return """
        SET LOCAL client_min_messages = warning;
        CREATE TABLE IF NOT EXISTS %1$s (
          id bigserial PRIMARY KEY,
          ns text NOT NULL,
          event text,
          data text NOT NULL,
          created_at timestamptz DEFAULT now());
        CREATE TABLE IF NOT EXISTS %2$s (
          dead_id bigserial PRIMARY KEY,
          id bigint NOT NULL,
          ns text,
          event text,
          data text,
          created_at timestamptz,
          reason text NOT NULL,
          failed_at timestamptz NOT NULL DEFAULT now());
        CREATE OR REPLACE FUNCTION %3$s() RETURNS trigger AS $$
        BEGIN
          PERFORM pg_notify(%4$s, '');
          RETURN NULL;
        END
        $$ LANGUAGE plpgsql;
        DO $$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = %5$s::regclass AND tgname = %6$s) THEN
            CREATE TRIGGER %7$s AFTER INSERT ON %1$s FOR EACH STATEMENT EXECUTE PROCEDURE %3$s();
          END IF;
        END
        $$;
        """.formatted(table, deadTable, function, literal(channel()), literal(table), literal(bareName + "_notify"),
        trigger);
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  private static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
