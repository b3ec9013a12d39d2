package ssecluster.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds what the browser needs before it can render {@code index.html}: the assets worth pushing and
 * preloading. Nothing is kept by hand; at start the node reads index.html and follows
 * <ul>
 *   <li>{@code <script src>}: a {@code type="module"} script becomes {@code rel=modulepreload} and its static
 *       {@code import}/{@code export ... from} graph is followed (the browser needs the whole graph before the
 *       module runs); a classic script becomes {@code rel=preload; as=script};</li>
 *   <li>{@code <link rel=stylesheet href>} ({@code as=style}) and the CSS {@code @import}s of those sheets
 *       (render-blocking, like the sheet);</li>
 *   <li>{@code <link rel=modulepreload>} and {@code <link rel=preload as=...>} that the page already declares.</li>
 * </ul>
 * Left out on purpose: dynamic {@code import()} (loaded on demand, maybe never), images, icons and CSS
 * {@code url()}s (not needed to render or run; the browser fetches them when it does), bare module
 * specifiers and other origins (not files of webroot). Only references that resolve to a file of webroot
 * are listed; a reference to a missing file is logged, as the page would break on it too.
 *
 * <p>The scanning is deliberately small: regular expressions over HTML with comments removed, and over
 * JavaScript with comments removed by a lexer that knows string and template literals. It is meant for
 * this project's own hand-written page, not arbitrary HTML or minified bundles.
 */
final class PageDependencies {

  private static final Logger log = Logger.getLogger(PageDependencies.class.getName());

  /** How a dependency is hinted: the {@code Link} parameters after {@code rel=}. */
  enum Kind {
    MODULE("modulepreload"),
    SCRIPT("preload; as=script"),
    STYLE("preload; as=style"),
    OTHER(null);

    private final String rel;

    Kind(String rel) {
      this.rel = rel;
    }
  }

  /** One asset the page needs; {@code as} is only used for {@link Kind#OTHER} (an explicit preload). */
  record Dependency(String path, Kind kind, String as) {

    /** The {@code Link} header value, e.g. {@code </js/main.js>; rel=modulepreload}. */
    String linkValue() {
      String rel = kind == Kind.OTHER ? "preload; as=" + as + (needsCors(as) ? "; crossorigin" : "") : kind.rel;
      return "<" + path + ">; rel=" + rel;
    }

    private static boolean needsCors(String as) {
      // Fonts and fetches are requested in CORS mode; a preload without crossorigin would not be reused.
      return "font".equals(as) || "fetch".equals(as);
    }
  }

  private static final Pattern HTML_COMMENT = Pattern.compile("<!--.*?-->", Pattern.DOTALL);
  private static final Pattern TAG = Pattern.compile("<(script|link)\\b([^>]*)>", Pattern.CASE_INSENSITIVE);
  private static final Pattern ATTRIBUTE =
      Pattern.compile("([^\\s=/>\"']+)(?:\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s>]+)))?");
  /** {@code import x from "./a.js"}, {@code import "./b.js"}, {@code export {y} from './c.js'}; not {@code import(...)}. */
  private static final Pattern STATIC_IMPORT = Pattern.compile(
      "(?<![\\w$.])(?:import|export)\\s*(?:[\\w$*{}\\s,]*?\\bfrom\\s*)?([\"'])([^\"'\\n]+)\\1");
  private static final Pattern CSS_IMPORT = Pattern.compile(
      "@import\\s+(?:url\\(\\s*)?([\"']?)([^\"')\\s;]+)\\1", Pattern.CASE_INSENSITIVE);
  private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:");
  private static final Pattern CSS_COMMENT = Pattern.compile("/\\*.*?\\*/", Pattern.DOTALL);

  private final Function<String, byte[]> files;
  private final Map<String, Dependency> found = new LinkedHashMap<>();

  /** @param files the bytes of a webroot file by URL path ({@code /js/main.js}), or null when there is none */
  private PageDependencies(Function<String, byte[]> files) {
    this.files = files;
  }

  /** The dependencies of the page at {@code pagePath}, in document order, each once. */
  static List<Dependency> of(String pagePath, String html, Function<String, byte[]> files) {
    PageDependencies scan = new PageDependencies(files);
    scan.scanHtml(pagePath, html);
    return List.copyOf(scan.found.values());
  }

  private void scanHtml(String pagePath, String html) {
    Matcher tag = TAG.matcher(HTML_COMMENT.matcher(html).replaceAll(""));
    while (tag.find()) {
      Map<String, String> attributes = attributes(tag.group(2));
      if (tag.group(1).equalsIgnoreCase("script")) {
        String src = attributes.get("src");
        if (src != null) {
          boolean module = "module".equalsIgnoreCase(attributes.getOrDefault("type", ""));
          add(pagePath, src, module ? Kind.MODULE : Kind.SCRIPT, null);
        }
        continue;
      }
      String href = attributes.get("href");
      List<String> rels = List.of(attributes.getOrDefault("rel", "").toLowerCase(Locale.ROOT).trim().split("\\s+"));
      if (href == null) {
        continue;
      }
      if (rels.contains("stylesheet") && !attributes.containsKey("disabled")) {
        add(pagePath, href, Kind.STYLE, null);
      } else if (rels.contains("modulepreload")) {
        add(pagePath, href, Kind.MODULE, null);
      } else if (rels.contains("preload") && attributes.get("as") != null) {
        String as = attributes.get("as").toLowerCase(Locale.ROOT);
        add(pagePath, href, switch (as) {
          case "script" -> Kind.SCRIPT;
          case "style" -> Kind.STYLE;
          default -> Kind.OTHER;
        }, as);
      }
    }
  }

  private void add(String fromPath, String reference, Kind kind, String as) {
    String path = resolve(fromPath, reference);
    if (path == null || found.containsKey(path)) {
      return;
    }
    byte[] content = files.apply(path);
    if (content == null) {
      log.warning(fromPath + " refers to " + reference + ", which is not a file of webroot: not pushed or preloaded");
      return;
    }
    if (!reference.startsWith("/") && fromPath.endsWith(".html")) {
      log.warning(fromPath + " refers to '" + reference + "' by a relative URL: under an SPA path such as /a/b"
          + " the browser resolves it elsewhere; write '" + path + "'");
    }
    found.put(path, new Dependency(path, kind, as));
    String text = new String(content, StandardCharsets.UTF_8);
    if (kind == Kind.MODULE) {
      Matcher imports = STATIC_IMPORT.matcher(withoutJsComments(text));
      while (imports.find()) {
        add(path, imports.group(2), Kind.MODULE, null);
      }
    } else if (kind == Kind.STYLE) {
      Matcher imports = CSS_IMPORT.matcher(CSS_COMMENT.matcher(text).replaceAll(""));
      while (imports.find()) {
        add(path, imports.group(2), Kind.STYLE, null);
      }
    }
  }

  /**
   * The webroot URL path a reference names, or null when it is not a file of this origin: bare module
   * specifiers ({@code lit}), other origins, {@code data:} and the like.
   */
  static String resolve(String fromPath, String reference) {
    String ref = reference.trim();
    if (ref.isEmpty() || ref.startsWith("//") || ref.startsWith("#")) {
      return null;
    }
    if (!(ref.startsWith("/") || ref.startsWith("./") || ref.startsWith("../"))) {
      // In HTML "js/main.js" is relative like "./js/main.js"; in a module it is a bare specifier (not a file).
      if (!fromPath.endsWith(".html") || SCHEME.matcher(ref).lookingAt()) {
        return null;
      }
      ref = "./" + ref;
    }
    try {
      URI resolved = new URI("http", "h", fromPath, null).resolve(new URI(null, null, stripQuery(ref), null)).normalize();
      String path = resolved.getPath();
      return path == null || !path.startsWith("/") || path.startsWith("/..") ? null : path;
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private static String stripQuery(String ref) {
    int cut = ref.length();
    for (char c : new char[] {'?', '#'}) {
      int at = ref.indexOf(c);
      if (at >= 0 && at < cut) {
        cut = at;
      }
    }
    return ref.substring(0, cut);
  }

  private static Map<String, String> attributes(String raw) {
    Map<String, String> attributes = new LinkedHashMap<>();
    Matcher m = ATTRIBUTE.matcher(raw);
    while (m.find()) {
      String value = m.group(2) != null ? m.group(2) : m.group(3) != null ? m.group(3) : m.group(4) != null ? m.group(4) : "";
      attributes.putIfAbsent(m.group(1).toLowerCase(Locale.ROOT), value.trim());
    }
    return attributes;
  }

  /**
   * JavaScript with its comments blanked out, strings and template literals kept, so that an import in a
   * comment is ignored and a {@code //} inside a string is not taken for a comment.
   */
  static String withoutJsComments(String js) {
    StringBuilder out = new StringBuilder(js.length());
    int i = 0;
    int n = js.length();
    while (i < n) {
      char c = js.charAt(i);
      char next = i + 1 < n ? js.charAt(i + 1) : '\0';
      if (c == '/' && next == '/') {
        while (i < n && js.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '/' && next == '*') {
        int end = js.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
        out.append(' ');
      } else if (c == '"' || c == '\'' || c == '`') {
        int start = i++;
        while (i < n && js.charAt(i) != c) {
          if (js.charAt(i) == '\\') {
            i++;
          }
          if (c != '`' && i < n && js.charAt(i) == '\n') {
            break;
          }
          i++;
        }
        i = Math.min(i + 1, n);
        out.append(js, start, i);
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  static List<String> linkValues(List<Dependency> dependencies) {
    List<String> values = new ArrayList<>();
    for (Dependency d : dependencies) {
      values.add(d.linkValue());
    }
    return values;
  }
}
