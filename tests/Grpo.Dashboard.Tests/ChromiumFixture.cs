using PuppeteerSharp;

namespace Grpo.Dashboard.Tests;

/// <summary>
/// One headless Debian Chromium for a test class, driven over the DevTools protocol. tests/run.sh installs the
/// package when it is missing; elsewhere a missing browser fails the tests with the command that installs it, since
/// skipping them would let the page break unnoticed.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Minutes, not seconds: a busy two-core machine trains, serves and renders at once.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    private IBrowser? browser;

    /// <summary>Where the tests' screenshots go, for people to look at: test-results/ beside the test assembly.</summary>
    public static string ResultsFolder { get; } = Path.Combine(AppContext.BaseDirectory, "test-results");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"{ChromiumPath} is missing: the dashboard's browser tests drive Debian's headless Chromium. "
                + "Install it with 'apt-get install -y --no-install-recommends chromium' (as root; tests/run.sh does this itself when it runs as root).");
        }

        Directory.CreateDirectory(ResultsFolder);
        browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // The tests run as root in CI, where Chromium's sandbox refuses to start; the pages are the tests' own.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            Timeout = (int)Patience.TotalMilliseconds,
            ProtocolTimeout = (int)Patience.TotalMilliseconds,
        });
    }

    /// <summary>A fresh tab, wide enough for two charts side by side, that waits as patiently as the tests do.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var page = await (browser ?? throw new InvalidOperationException("the browser has not been started")).NewPageAsync();
        page.DefaultTimeout = (int)Patience.TotalMilliseconds;
        page.DefaultNavigationTimeout = (int)Patience.TotalMilliseconds;
        await page.SetViewportAsync(new ViewPortOptions { Width = 1400, Height = 1000 });
        return page;
    }

    /// <summary>Saves the page (all of it, or what the window shows) as <paramref name="name"/> in <see cref="ResultsFolder"/> and returns its path.</summary>
    public static async Task<string> SaveScreenshotAsync(IPage page, string name, bool fullPage = true)
    {
        var path = Path.Combine(ResultsFolder, name);
        await page.ScreenshotAsync(path, new ScreenshotOptions { FullPage = fullPage });
        return path;
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }
    }
}
