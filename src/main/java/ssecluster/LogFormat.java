package ssecluster;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/** One line per record: time, level, short logger name, message; stack traces follow when there are any. */
public final class LogFormat extends Formatter {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
      .withZone(ZoneId.systemDefault());

  @Override
  public String format(LogRecord record) {
    String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
    String shortName = logger.substring(logger.lastIndexOf('.') + 1);
    StringBuilder line = new StringBuilder(128)
        .append(TIME.format(Instant.ofEpochMilli(record.getMillis()))).append(' ')
        .append(String.format("%-7s", record.getLevel().getName())).append(' ')
        .append(shortName).append(": ")
        .append(formatMessage(record)).append(System.lineSeparator());
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(trace));
      line.append(trace);
    }
    return line.toString();
  }
}
