package ssecluster.testsupport;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The system's headless Chromium, driven by Selenium through the system's chromedriver (nothing is downloaded),
 * with a profile of its own that {@link #close()} deletes. Without Chromium and chromedriver a test that calls
 * {@link #start()} is skipped with a banner on stderr, except when {@code CI=true}, where it fails: CI must install
 * them ({@code apt-get install chromium chromium-driver}). {@code CHROMIUM_BIN} and {@code CHROMEDRIVER_BIN} point
 * elsewhere if needed.
 */
public final class Browser implements AutoCloseable {

  private static final String CHROMIUM = envOr("CHROMIUM_BIN", "/usr/bin/chromium");
  private static final String CHROMEDRIVER = envOr("CHROMEDRIVER_BIN", "/usr/bin/chromedriver");
  public static final Duration WAIT = Duration.ofSeconds(30);
  /** Selenium warns that it has no CDP bindings for this Chromium; the tests use WebDriver only. */
  private static final List<Logger> QUIET = List.of(
      Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder"),
      Logger.getLogger("org.openqa.selenium.chromium.ChromiumDriver"));

  private final WebDriver driver;
  private final Path profile;

  private Browser(WebDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** A headless Chromium with a 1400x1000 window that accepts self-signed certificates; skips the test without one. */
  public static Browser start() throws IOException {
    requireChromium();
    QUIET.forEach(logger -> logger.setLevel(Level.SEVERE));
    Path profile = Files.createTempDirectory("chromium-profile");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--ignore-certificate-errors",
        "--user-data-dir=" + profile, "--window-size=1400,1000");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER))
        .usingAnyFreePort()
        .build();
    return new Browser(new ChromeDriver(service, options), profile);
  }

  public WebDriver driver() {
    return driver;
  }

  public Object script(String js) {
    return ((JavascriptExecutor) driver).executeScript(js);
  }

  /** Waits up to {@link #WAIT} for a non-null, non-false value, and returns it; the page may redraw meanwhile. */
  public <T> T waitFor(String what, Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, WAIT).withMessage("waiting for " + what)
        .ignoring(StaleElementReferenceException.class).until(condition::apply);
  }

  /** Saves what the window shows to {@code target/<name>}. */
  public void screenshot(String name) throws IOException {
    File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Path target = Path.of("target", name);
    Files.createDirectories(target.getParent());
    Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void close() throws IOException {
    driver.quit();
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  /** Skips the calling test (fails it when {@code CI=true}) when Chromium or chromedriver is missing. */
  public static void requireChromium() {
    if (Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER))) {
      return;
    }
    String why = "this browser test needs Chromium (" + CHROMIUM + ") and chromedriver (" + CHROMEDRIVER + "): "
        + "apt-get install chromium chromium-driver, or set CHROMIUM_BIN / CHROMEDRIVER_BIN";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(why + ". CI=true: failing instead of skipping.");
    }
    System.err.println("\n" + "!".repeat(100) + "\n!! SKIPPED: " + why + "\n" + "!".repeat(100) + "\n");
    Assumptions.assumeTrue(false, why);
  }

  private static String envOr(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
