namespace Grpo.Integration.Tests;

/// <summary>Every test that needs the PostgreSQL server shares one, and runs one at a time (two cores, real processes).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
