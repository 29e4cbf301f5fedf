using Grpo.Hosting;

namespace Grpo.Integration.Tests;

public sealed class ClusterConnectionTests
{
    [Fact]
    public void Parses_the_fields_of_a_connection_string()
    {
        var connection = ClusterConnection.Parse("Host=10.0.0.7;Port=5433;Database=grpo;Username=trainer;Password=s3cret;Timeout=3");

        Assert.Equal("10.0.0.7", connection.Host);
        Assert.Equal(5433, connection.Port);
        Assert.Equal("grpo", connection.Database);
        Assert.Equal("trainer", connection.Username);
        Assert.Equal("10.0.0.7:5433", connection.Endpoint);
        Assert.Contains("Password=s3cret", connection.ConnectionString);
        Assert.Contains("Timeout=3", connection.ConnectionString);
    }

    [Fact]
    public void Port_defaults_to_5432() =>
        Assert.Equal(5432, ClusterConnection.Parse("Host=db;Database=grpo;Username=grpo").Port);

    [Fact]
    public void ToString_leaves_the_password_out()
    {
        var text = ClusterConnection.Parse("Host=db;Database=grpo;Username=grpo;Password=s3cret").ToString();

        Assert.DoesNotContain("s3cret", text);
        Assert.Contains("Host=db", text);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("Database=grpo;Username=grpo", "no Host")]
    [InlineData("Host=db;Username=grpo", "no Database")]
    [InlineData("Host=db;Database=grpo", "no Username")]
    [InlineData("Host=db;Database=grpo;Username=grpo;Colour=blue", "colour")]
    [InlineData("Host=db;Port=many;Database=grpo;Username=grpo", "not valid")]
    [InlineData("Host=db;Port=0;Database=grpo;Username=grpo", "Port")]
    public void Refuses_an_incomplete_or_malformed_string(string connectionString, string messagePart)
    {
        var error = Assert.Throws<ClusterConfigurationException>(() => ClusterConnection.Parse(connectionString));

        Assert.Equal(ClusterProblem.InvalidConnectionString, error.Problem);
        Assert.Contains(messagePart, error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
