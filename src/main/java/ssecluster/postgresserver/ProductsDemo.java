package ssecluster.postgresserver;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The products demo of the Go/WebSockets seed, on the cluster's NOTIFY format: a {@code products} table whose
 * trigger publishes each insert, update and delete, as JSON of the row, to namespace {@code products.<id>} with
 * event {@code product-insert}, {@code product-update} or {@code product-delete}. A NOTIFY is sent when its
 * transaction commits, and not at all when it rolls back.
 */
public final class ProductsDemo {

  private ProductsDemo() {
  }

  /** Creates the table (if missing) and its trigger, notifying on {@code channel}, and a few products. */
  public static void create(Connection connection, String channel) throws SQLException {
    try (Statement sql = connection.createStatement()) {
      sql.execute("""
          CREATE TABLE IF NOT EXISTS products (
            product_id serial PRIMARY KEY,
            product_name text,
            manufacturer text,
            price_per_unit text,
            units_available int)""");
      sql.execute("""
          CREATE OR REPLACE FUNCTION notify_event_on_products_update() RETURNS trigger AS $$
          DECLARE
            row_data json;
          BEGIN
            IF (TG_OP = 'DELETE') THEN
              row_data = row_to_json(OLD);
            ELSE
              row_data = row_to_json(NEW);
            END IF;
            PERFORM pg_notify(%s, json_build_object(
              'ns', 'products.' || (row_data ->> 'product_id'),
              'event', 'product-' || lower(TG_OP),
              'data', row_data)::text);
            RETURN NULL;
          END
          $$ LANGUAGE plpgsql""".formatted(literal(channel)));
      sql.execute("DROP TRIGGER IF EXISTS products_change_trigger ON products");
      sql.execute("""
          CREATE TRIGGER products_change_trigger AFTER INSERT OR UPDATE OR DELETE ON products
            FOR EACH ROW EXECUTE PROCEDURE notify_event_on_products_update()""");
      sql.execute("""
          INSERT INTO products (product_name, manufacturer, price_per_unit, units_available)
          SELECT * FROM (VALUES ('MacBook Pro', 'Apple', '500EUR', 6),
                                ('ThinkPad X1', 'Lenovo', '450EUR', 12),
                                ('XPS 13', 'Dell', '400EUR', 3)) AS seed
          WHERE NOT EXISTS (SELECT 1 FROM products)""");
    }
  }

  /** A line to try in a terminal against the server on {@code port}. */
  public static String tryLine(int port) {
    return "psql -h 127.0.0.1 -p " + port + " -U postgres -c \"UPDATE products SET units_available = units_available - 1"
        + " WHERE product_id = 1\"";
  }

  private static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
