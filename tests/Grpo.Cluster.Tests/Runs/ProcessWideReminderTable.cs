using System.Collections.Concurrent;
using Orleans.Runtime;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>
/// A reminder table for in-process test clusters that outlives any one silo and any one cluster, as the PostgreSQL
/// table does for a real cluster. Orleans' in-memory reminder table lives in a grain on one silo, so killing that silo
/// (or restarting the cluster) would lose every reminder, which is exactly what durable-run tests must not lose.
/// </summary>
public sealed class ProcessWideReminderTable : IReminderTable
{
    readonly ConcurrentDictionary<(GrainId Grain, string Name), ReminderEntry> rows = new();

    public Task Init() => Task.CompletedTask;

    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        Task.FromResult(new ReminderTableData(rows.Values.Where(r => r.GrainId == grainId).Select(Copy)));

    /// <summary>Rows whose grain hash lies in (begin, end], the range wrapping around when begin &gt;= end.</summary>
    public Task<ReminderTableData> ReadRows(uint begin, uint end) =>
        Task.FromResult(new ReminderTableData(rows.Values.Where(r => InRange(r.GrainId.GetUniformHashCode(), begin, end)).Select(Copy)));

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) =>
        Task.FromResult(rows.TryGetValue((grainId, reminderName), out var row) ? Copy(row) : null);

    public Task<string?> UpsertRow(ReminderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var stored = Copy(entry);
        stored.ETag = Guid.NewGuid().ToString("N");
        rows[(entry.GrainId, entry.ReminderName)] = stored;
        return Task.FromResult<string?>(stored.ETag);
    }

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        var key = (grainId, reminderName);
        return Task.FromResult(rows.TryGetValue(key, out var row) && row.ETag == eTag && rows.TryRemove(KeyValuePair.Create(key, row)));
    }

    public Task TestOnlyClearTable()
    {
        rows.Clear();
        return Task.CompletedTask;
    }

    /// <summary>The reminders currently registered, for assertions.</summary>
    public IReadOnlyList<ReminderEntry> Rows => rows.Values.Select(Copy).ToArray();

    static bool InRange(uint hash, uint begin, uint end) => begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;

    static ReminderEntry Copy(ReminderEntry row) => new()
    {
        GrainId = row.GrainId, ReminderName = row.ReminderName, StartAt = row.StartAt, Period = row.Period, ETag = row.ETag,
    };
}
