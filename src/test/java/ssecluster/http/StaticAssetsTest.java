package ssecluster.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code GET /} would push and preload for a given webroot: the {@code Link} values found from
 * index.html, its module graph and its stylesheets' imports, read from real files.
 */
class StaticAssetsTest {

  @TempDir
  Path webroot;

  @Test
  void followsScriptsStylesheetsStaticImportsAndCssImportsButNotDynamicImportsOrForeignUrls() throws IOException {
    write("index.html", """
        <!doctype html>
        <link rel="icon" href="/icon.svg">
        <link rel=stylesheet href="/css/site.css">
        <!-- <script type="module" src="/js/commented-out.js"></script> -->
        <script src="https://cdn.example/lib.js"></script>
        <script src='/js/legacy.js' defer></script>
        <script type="module" src="js/app.js"></script>
        <link rel="preload" href="/fonts/f.woff2" as="font" type="font/woff2">
        <link rel="stylesheet" href="/css/missing.css">
        """);
    write("css/site.css", "/* @import 'commented.css'; */ @import url(\"./theme.css\"); body { background: url(/img/bg.png) }");
    write("css/theme.css", "body { color: black }");
    write("js/legacy.js", "import('./not-a-module.js'); // classic script: not followed");
    write("js/app.js", """
        import { a } from './lib/a.js';
        import * as b from "../js/lib/b.js";
        import './side-effect.js';
        export { c } from '/js/lib/c.js';
        // import './commented.js';
        const later = () => import('./lazy.js');
        import lit from 'lit';
        const url = "http://example.com/x.js"; // a string with // inside is not a comment
        import {
          d,
        } from './lib/d.js';
        """);
    write("js/lib/a.js", "import { b } from './b.js'; export const a = 1;");
    write("js/lib/b.js", "import { a } from './a.js'; export const b = 2; // cycle back to a");
    write("js/lib/c.js", "export const c = 3;");
    write("js/lib/d.js", "export const d = 4;");
    write("js/side-effect.js", "document.title = 'x';");
    write("js/lazy.js", "export default 1;");
    write("js/commented.js", "");
    write("js/commented-out.js", "");
    write("fonts/f.woff2", "wOF2");
    write("icon.svg", "<svg/>");

    StaticAssets assets = StaticAssets.load(webroot);

    assertEquals(List.of(
        "</css/site.css>; rel=preload; as=style",
        "</css/theme.css>; rel=preload; as=style",
        "</js/legacy.js>; rel=preload; as=script",
        "</js/app.js>; rel=modulepreload",
        "</js/lib/a.js>; rel=modulepreload",
        "</js/lib/b.js>; rel=modulepreload",
        "</js/side-effect.js>; rel=modulepreload",
        "</js/lib/c.js>; rel=modulepreload",
        "</js/lib/d.js>; rel=modulepreload",
        "</fonts/f.woff2>; rel=preload; as=font; crossorigin"),
        PageDependencies.linkValues(assets.indexDependencies()));
  }

  @Test
  void pushDigestChangesWhenAPushedFileChanges() throws IOException {
    write("index.html", "<script type=module src=/main.js></script>");
    write("main.js", "export const version = 1;");
    String before = StaticAssets.load(webroot).pushDigest();
    assertEquals(before, StaticAssets.load(webroot).pushDigest(), "same files, same digest");
    write("main.js", "export const version = 2;");
    assertFalse(before.equals(StaticAssets.load(webroot).pushDigest()), "a changed file is pushed again");
  }

  @Test
  void dotfilesAndLinksOutOfWebrootAreNotServed(@TempDir Path outside) throws IOException {
    write("index.html", "<p>hi</p>");
    write(".env", "SECRET=1");
    Path secret = Files.writeString(outside.resolve("secret.txt"), "secret");
    Files.createSymbolicLink(webroot.resolve("linked.txt"), secret);

    StaticAssets assets = StaticAssets.load(webroot);
    assertTrue(assets.paths().contains("/index.html"));
    assertNull(assets.find("/.env"));
    assertNull(assets.find("/linked.txt"));
  }

  @Test
  void aMissingWebrootServesNothingRatherThanFailingTheNode() throws IOException {
    StaticAssets assets = StaticAssets.load(webroot.resolve("absent"));
    assertNull(assets.index());
    assertTrue(assets.paths().isEmpty());
  }

  private void write(String path, String content) throws IOException {
    Path file = webroot.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }
}
