package ssecluster.ingest.postgres;

import io.vertx.core.Future;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import ssecluster.bus.Publication;
import ssecluster.bus.PublishRejectedException;
import ssecluster.bus.Publisher;
import ssecluster.status.NodeCounters;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One drain of the outbox, in one transaction: claims the oldest rows ({@code FOR UPDATE SKIP LOCKED}), publishes
 * the good ones in id order under ids derived from the rows (so that a row published twice, by a drainer that
 * died before its commit and then by the next, is kept once by history), moves the bad ones to the dead-letter
 * table with the reason, and deletes the rows only once every publish is confirmed (history holds the message and
 * its frame has left this node). Nothing is deleted if a step fails: the transaction rolls back and the rows are
 * drained again.
 *
 * <p>The transaction first takes an advisory lock: only one drain transaction runs at a time, whichever node it
 * comes from. A node that lost its leadership without noticing (frozen, cut off) may still be in its transaction;
 * the next drainer waits for it to end (or for the server to end its session) instead of publishing the rows
 * behind the claimed ones first, which would break a namespace's order.
 */
final class OutboxBatch {

  private static final Logger log = Logger.getLogger(OutboxBatch.class.getName());

  /** Publishes of one batch must be confirmed within this, or the batch is rolled back and drained again. */
  static final long PUBLISH_TIMEOUT_MILLIS = 60_000;

  /** What one drain found: how many rows it claimed, or that another drain transaction is still running. */
  record Result(int rows, boolean fenced) {
  }

  private final OutboxTables tables;
  private final int size;
  private final Publisher publisher;
  private final NodeCounters counters;
  private final String claim;
  private final String deadLetter;
  private final String delete;

  OutboxBatch(OutboxTables tables, int size, Publisher publisher, NodeCounters counters) {
    this.tables = tables;
    this.size = size;
    this.publisher = publisher;
    this.counters = counters;
    this.claim = "SELECT id, ns, event, data, created_at, tableoid::int8 FROM " + tables.table
        + " ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED";
    this.deadLetter = "INSERT INTO " + tables.deadTable + " (id, ns, event, data, created_at, reason)"
        + " VALUES ($1, $2, $3, $4, $5, $6)";
    this.delete = "DELETE FROM " + tables.table + " WHERE id = ANY($1)";
  }

  Future<Result> drain(PgConnection connection) {
    return connection.begin().compose(transaction -> connection
        .preparedQuery("SELECT pg_try_advisory_xact_lock(hashtext($1))").execute(Tuple.of("sse-cluster drain " + tables.name))
        .compose(locked -> {
          if (!locked.iterator().next().getBoolean(0)) {
            return transaction.rollback().map(new Result(0, true));
          }
          return connection.preparedQuery(claim).execute(Tuple.of(size))
              .compose(rows -> publishAndDelete(connection, transaction, rows));
        })
        .recover(failed -> transaction.rollback().otherwiseEmpty().compose(v -> Future.failedFuture(failed))));
  }

  private Future<Result> publishAndDelete(PgConnection connection, Transaction transaction, RowSet<Row> rows) {
    if (rows.size() == 0) {
      return transaction.commit().map(new Result(0, false));
    }
    List<Long> ids = new ArrayList<>(rows.size());
    List<Row> claimed = new ArrayList<>(rows.size());
    List<Future<String>> published = new ArrayList<>(rows.size());
    List<Tuple> dead = new ArrayList<>();
    for (Row row : rows) {
      long id = row.getLong(0);
      ids.add(id);
      try {
        Publication publication = PostgresInput.outboxRow(row.getString(1), row.getString(2), row.getString(3),
            publisher.maxDataBytes());
        // Called in id order: the publisher keeps a namespace's messages in the order it was handed them.
        claimed.add(row);
        published.add(publisher.publishRepeatable(publication, tables.name + "@" + row.getLong(5) + "/" + id));
      } catch (IllegalArgumentException rejected) {
        dead.add(deadRow(row, rejected.getMessage()));
      }
    }
    return Future.join(published)
        .timeout(PUBLISH_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .recover(failed -> {
          // The publisher refuses a row for good (a rule it checks itself): dead-letter it; anything else
          // (history cannot take messages now, a timeout) rolls the whole batch back, to be drained again.
          for (int i = 0; i < published.size(); i++) {
            Future<String> each = published.get(i);
            if (!each.isComplete() || (each.failed() && !(each.cause() instanceof PublishRejectedException))) {
              return Future.failedFuture(each.isComplete() ? each.cause() : failed);
            }
          }
          for (int i = 0; i < published.size(); i++) {
            if (published.get(i).failed()) {
              dead.add(deadRow(claimed.get(i), published.get(i).cause().getMessage()));
            }
          }
          return Future.succeededFuture();
        })
        .compose(v -> dead.isEmpty() ? Future.succeededFuture() : connection.preparedQuery(deadLetter).executeBatch(dead))
        .compose(v -> connection.preparedQuery(delete).execute(Tuple.of(ids.toArray(new Long[0]))))
        .compose(v -> transaction.commit())
        .map(v -> {
          counters.postgresOutboxIngested.add(rows.size() - dead.size());
          counters.postgresDeadLettered.add(dead.size());
          counters.rejectedPostgres.add(dead.size());
          for (Tuple row : dead) {
            log.warning("Moved outbox row " + row.getLong(0) + " of " + tables.name + " to " + tables.name + "_dead: "
                + row.getString(5));
          }
          return new Result(rows.size(), false);
        });
  }

  private static Tuple deadRow(Row row, String reason) {
    return Tuple.of(row.getLong(0), row.getString(1), row.getString(2), row.getString(3),
        row.getValue(4) instanceof OffsetDateTime created ? created : null, reason);
  }
}
