package dev.iothub.emulator;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The emulator's console page in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, see
 * {@code .ci/prepare-browser}), with the page's elements by the names a test asks about: a registry row and its
 * cells, a field, a button. Starting it aborts the calling test class where that browser is not installed, unless
 * {@code IOTHUB_TESTS_REQUIRE_ENVIRONMENT=true} (as in CI), which makes it fail instead. Shared with the starter's
 * console test through this module's test jar; one browser per test class.
 */
public final class ConsoleBrowser implements AutoCloseable {

    /** How long a test waits for the page to show what it expects. */
    public static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private final ChromeDriver driver;

    private final WebDriverWait wait;

    private ConsoleBrowser(ChromeDriver driver) {
        this.driver = driver;
        this.wait = new WebDriverWait(driver, TIMEOUT);
        this.wait.ignoring(StaleElementReferenceException.class);
    }

    /**
     * Starts headless Chromium; it accepts the emulator's self-signed HTTPS certificate.
     *
     * @throws org.opentest4j.TestAbortedException where Chromium or ChromeDriver is missing and the environment is
     * not required
     */
    public static ConsoleBrowser start() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String reason = CHROMIUM + " or " + CHROMEDRIVER + " is missing (run .ci/prepare-browser)";
            if (Boolean.parseBoolean(System.getenv("IOTHUB_TESTS_REQUIRE_ENVIRONMENT"))) {
                throw new IllegalStateException(reason + ", and IOTHUB_TESTS_REQUIRE_ENVIRONMENT=true");
            }
            Assumptions.abort(reason);
        }
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
            .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1400,900",
                    "--user-data-dir=" + temporaryDirectory("iothub-console-chromium"));
        options.setAcceptInsecureCerts(true);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
        return new ConsoleBrowser(new ChromeDriver(service, options));
    }

    /** Opens the console at {@code /} of a service API base URI and waits for the page. */
    public void open(URI serviceUri) {
        this.driver.get(serviceUri + "/");
        this.wait.until(ExpectedConditions.titleIs("IoT Hub emulator"));
    }

    /** Waits until the condition holds (is neither {@code null} nor {@code false}) and returns its value. */
    public <T> T until(Function<WebDriver, T> condition) {
        return this.wait.until(condition);
    }

    /** Signs the page in with a service connection string or SAS token, as a person would paste it. */
    public void signIn(String credential) {
        until((page) -> find("credential").isDisplayed());
        type("credential", credential);
        press("sign-in-button");
    }

    /** Selects a device's row and waits until its view shows the twin. */
    public void select(String deviceId) {
        click(deviceId, "button.select");
        until((page) -> ("Device " + deviceId).equals(text("device-title")));
        until((page) -> !text("twin-desired").isEmpty());
    }

    /** Clicks a button of a registry row, again if the page re-rendered the row meanwhile. */
    public void click(String id, String buttonSelector) {
        until((page) -> {
            WebElement row = row(id);
            if (row == null) {
                return false;
            }
            row.findElement(By.cssSelector(buttonSelector)).click();
            return true;
        });
    }

    /** Clicks the element with the id. */
    public void press(String id) {
        find(id).click();
    }

    /** Replaces the text of the field with the id. */
    public void type(String id, String text) {
        WebElement field = find(id);
        field.clear();
        field.sendKeys(text);
    }

    /** The registry row of a device ({@code deviceId}) or module ({@code deviceId/moduleId}), or {@code null}. */
    public WebElement row(String id) {
        return this.driver.findElements(By.cssSelector("#device-rows tr"))
            .stream()
            .filter((row) -> id.equals(row.getDomAttribute("data-id")))
            .findFirst()
            .orElse(null);
    }

    /** The text of a column ({@code id}, {@code state}, {@code via}, {@code activity}) of a registry row, or null. */
    public String cell(String id, String column) {
        WebElement row = row(id);
        return (row != null) ? row.findElement(By.cssSelector("td." + column)).getText() : null;
    }

    /** The visible text of the element with the id. */
    public String text(String id) {
        return find(id).getText();
    }

    /** The visible texts of the elements the CSS selector matches, in page order. */
    public List<String> texts(String selector) {
        return findAll(selector).stream().map(WebElement::getText).toList();
    }

    /** The element with the id. */
    public WebElement find(String id) {
        return this.driver.findElement(By.id(id));
    }

    /** The elements the CSS selector matches. */
    public List<WebElement> findAll(String selector) {
        return this.driver.findElements(By.cssSelector(selector));
    }

    /** The page's source as the browser holds it now. */
    public String pageSource() {
        return this.driver.getPageSource();
    }

    /** Runs a script in the page and returns its result. */
    public Object script(String script) {
        return this.driver.executeScript(script);
    }

    /** Saves a screenshot of the window as a PNG file. */
    public void saveScreenshot(Path target) throws IOException {
        File screenshot = this.driver.getScreenshotAs(OutputType.FILE);
        if (target.getParent() != null) {
            Files.createDirectories(target.getParent());
        }
        Files.copy(screenshot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        this.driver.quit();
    }

    private static String temporaryDirectory(String prefix) {
        try {
            return Files.createTempDirectory(prefix).toString();
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
