using PuppeteerSharp;

namespace Grpo.Dashboard.Tests;

/// <summary>
/// Waits until an expression evaluated in the page meets a condition, reading it again every quarter second (the page
/// builds its elements after its first request, so expressions allow for elements not there yet); a
/// timeout says what was awaited and the last value the page showed, so a failure in CI explains itself.
/// </summary>
internal static class PageConditions
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <param name="patience">How long to wait; <see cref="ChromiumFixture.Patience"/> unless the condition needs longer.</param>
    public static Task<int> WaitForNumberAsync(IPage page, string expression, Func<int, bool> condition, string what, TimeSpan? patience = null) =>
        WaitForAsync(page, expression, condition, what, patience ?? ChromiumFixture.Patience);

    /// <param name="patience">How long to wait; <see cref="ChromiumFixture.Patience"/> unless the condition needs longer.</param>
    public static Task<string> WaitForTextAsync(IPage page, string elementId, Func<string, bool> condition, string what, TimeSpan? patience = null) =>
        WaitForAsync(page, $"document.getElementById('{elementId}')?.textContent ?? ''", condition, what, patience ?? ChromiumFixture.Patience);

    private static async Task<T> WaitForAsync<T>(IPage page, string expression, Func<T, bool> condition, string what, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            var value = await page.EvaluateExpressionAsync<T>(expression);
            if (condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited {patience} for {what}; the page last showed '{value}' for {expression}.");
            }

            await Task.Delay(Interval);
        }
    }
}
