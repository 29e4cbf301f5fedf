using Grpo.Client.Cluster;
using Microsoft.Extensions.Logging;

namespace Grpo.Cluster.Tests.Client;

public sealed class ClientLoggingTests
{
    [Theory]
    [InlineData("Debug", LogLevel.Debug)]
    [InlineData("information", LogLevel.Information)]
    [InlineData(" Warning ", LogLevel.Warning)]
    public void GRPO_LOG_LEVEL_names_a_level_in_any_case(string text, LogLevel level) => Assert.Equal(level, ClientLogging.Level(text));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Without_GRPO_LOG_LEVEL_the_client_log_stays_off(string? text) => Assert.Null(ClientLogging.Level(text));

    [Theory]
    [InlineData("loud")]
    [InlineData("2")]
    public void A_value_that_names_no_level_is_refused_listing_the_levels(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => ClientLogging.Level(text));

        Assert.Equal($"GRPO_LOG_LEVEL is '{text}'; expected Trace, Debug, Information, Warning, Error, Critical, None.", error.Message);
    }
}
