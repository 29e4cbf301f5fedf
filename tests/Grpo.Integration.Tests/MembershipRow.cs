namespace Grpo.Integration.Tests;

/// <summary>One row of OrleansMembershipTable; Status is Orleans' SiloStatus (3 Active, 6 Dead).</summary>
public sealed record MembershipRow(string Address, int Port, int Generation, int Status)
{
    public const int Active = 3;
    public const int Dead = 6;

    public static async Task<List<MembershipRow>> ReadAsync(string connectionString, string clusterId) =>
        await PostgresServer.QueryAsync(
            connectionString,
            $"SELECT Address, Port, Generation, Status FROM OrleansMembershipTable WHERE DeploymentId = '{clusterId}' ORDER BY Port",
            reader => new MembershipRow(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3)));
}
