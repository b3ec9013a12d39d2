package ssecluster.testsupport;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Reads a Prometheus text exposition the way a scraper would: every sample line must be well formed and
 * belong to a family declared by a {@code # TYPE} line, or the parse fails the test.
 */
public final class PrometheusText {

  private static final Pattern SAMPLE = Pattern.compile(
      "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\.)*\",?)*\\})? (\\S+)");
  private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary|histogram|info|stateset|unknown|untyped)");

  private final Map<String, Double> samples = new HashMap<>();

  private PrometheusText() {
  }

  public static PrometheusText parse(String exposition) {
    PrometheusText text = new PrometheusText();
    Set<String> families = new HashSet<>();
    for (String line : exposition.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        Matcher type = TYPE.matcher(line);
        assertTrue(type.matches(), "bad TYPE line: " + line);
        families.add(type.group(1));
      } else if (!line.isEmpty() && !line.startsWith("#")) {
        Matcher sample = SAMPLE.matcher(line);
        assertTrue(sample.matches(), "bad sample line: " + line);
        String name = sample.group(1);
        assertTrue(families.stream().anyMatch(f -> name.equals(f) || name.startsWith(f + "_")),
            "sample without a TYPE line before it: " + line);
        String labels = sample.group(2) == null ? "" : sample.group(2);
        text.samples.put(name + labels, Double.parseDouble(sample.group(3)));
      }
    }
    return text;
  }

  /** The value of a sample, named with its labels as exposed: {@code sse_messages_rejected_total{source="http"}}. */
  public double value(String sample) {
    Double value = samples.get(sample);
    if (value == null) {
      fail("no sample " + sample + " in the exposition; samples: " + samples.keySet());
    }
    return value;
  }
}
