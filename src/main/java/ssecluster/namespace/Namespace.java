package ssecluster.namespace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A dotted, hierarchical channel name such as {@code pets.dogs}. The empty namespace is the root and
 * matches everything. Instances are always valid: construction goes through {@link #parse} or
 * {@link #fromPath}, which reject anything else with an {@link InvalidNamespaceException}.
 */
public final class Namespace {

  public static final int MAX_SEGMENTS = 16;
  public static final int MAX_LENGTH = 256;
  public static final Namespace ROOT = new Namespace("");

  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-]+");

  private final String name;

  private Namespace(String name) {
    this.name = name;
  }

  /** Parses a dotted name ({@code pets.dogs}); {@code ""} is the root. */
  public static Namespace parse(String dotted) {
    if (dotted == null || dotted.isEmpty()) {
      return ROOT;
    }
    if (dotted.length() > MAX_LENGTH) {
      throw new InvalidNamespaceException(dotted, "longer than " + MAX_LENGTH + " characters");
    }
    String[] segments = dotted.split("\\.", -1);
    checkSegments(dotted, segments);
    return new Namespace(dotted);
  }

  /** Parses a URL path remainder ({@code pets/dogs}, {@code /pets/dogs/}); empty is the root. */
  public static Namespace fromPath(String path) {
    String trimmed = path == null ? "" : path;
    if (trimmed.startsWith("/")) {
      trimmed = trimmed.substring(1);
    }
    if (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    if (trimmed.isEmpty()) {
      return ROOT;
    }
    if (trimmed.indexOf('.') >= 0) {
      // In a path, segments are separated by '/', so a '.' would silently mean something else.
      throw new InvalidNamespaceException(path, "path segments may not contain '.'");
    }
    if (trimmed.length() > MAX_LENGTH) {
      throw new InvalidNamespaceException(path, "longer than " + MAX_LENGTH + " characters");
    }
    String[] segments = trimmed.split("/", -1);
    checkSegments(path, segments);
    return new Namespace(String.join(".", segments));
  }

  private static void checkSegments(String input, String[] segments) {
    if (segments.length > MAX_SEGMENTS) {
      throw new InvalidNamespaceException(input, "more than " + MAX_SEGMENTS + " segments");
    }
    for (String segment : segments) {
      if (segment.isEmpty()) {
        throw new InvalidNamespaceException(input, "empty segment");
      }
      if (!SEGMENT.matcher(segment).matches()) {
        throw new InvalidNamespaceException(input, "segment '" + segment + "' has characters outside [A-Za-z0-9_-]");
      }
    }
  }

  /** True when a message of {@code other} is delivered to a subscriber of this namespace. */
  public boolean covers(Namespace other) {
    if (isRoot() || name.equals(other.name)) {
      return true;
    }
    return other.name.length() > name.length()
        && other.name.startsWith(name)
        && other.name.charAt(name.length()) == '.';
  }

  /** This namespace, then each ancestor up to and including the root: {@code pets.dogs, pets, ""}. */
  public List<Namespace> selfAndAncestors() {
    List<Namespace> chain = new ArrayList<>();
    String current = name;
    chain.add(this);
    while (!current.isEmpty()) {
      int dot = current.lastIndexOf('.');
      current = dot < 0 ? "" : current.substring(0, dot);
      chain.add(current.isEmpty() ? ROOT : new Namespace(current));
    }
    return Collections.unmodifiableList(chain);
  }

  /** The event-bus address of this namespace: the dotted name itself, the empty string for the root. */
  public String address() {
    return name;
  }

  public boolean isRoot() {
    return name.isEmpty();
  }

  /** The dotted name; the root is {@code ""}. */
  public String name() {
    return name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Namespace other && other.name.equals(name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return isRoot() ? "(root)" : name;
  }
}
