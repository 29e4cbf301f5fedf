namespace Grpo.Hosting;

/// <summary>Where a silo keeps run state and reminders.</summary>
public enum GrpoStorage
{
    /// <summary>In the silo's memory: one machine, nothing to install, gone when the process ends.</summary>
    InMemory,

    /// <summary>In PostgreSQL, registered by <see cref="GrpoPostgresExtensions.UseGrpoPostgres(Orleans.Hosting.ISiloBuilder, string)"/>.</summary>
    Postgres,
}
