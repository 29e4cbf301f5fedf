namespace Grpo.Hosting;

/// <summary>
/// The rows of the OrleansQuery table each ADO.NET provider looks up when it starts (Orleans 10.x). A silo needs all
/// of them; deploy/postgres/create-schema.sh installs them.
/// </summary>
public static class OrleansQueryKeys
{
    public static IReadOnlyList<string> Clustering { get; } =
    [
        "UpdateIAmAlivetimeKey",
        "InsertMembershipVersionKey",
        "InsertMembershipKey",
        "UpdateMembershipKey",
        "MembershipReadRowKey",
        "MembershipReadAllKey",
        "DeleteMembershipTableEntriesKey",
        "GatewaysQueryKey",
        "CleanupDefunctSiloEntriesKey",
    ];

    public static IReadOnlyList<string> Persistence { get; } =
    [
        "WriteToStorageKey",
        "ReadFromStorageKey",
        "ClearStorageKey",
    ];

    public static IReadOnlyList<string> Reminders { get; } =
    [
        "UpsertReminderRowKey",
        "ReadReminderRowsKey",
        "ReadReminderRowKey",
        "ReadRangeRows1Key",
        "ReadRangeRows2Key",
        "DeleteReminderRowKey",
        "DeleteReminderRowsKey",
    ];

    public static IReadOnlyList<string> All { get; } = [.. Clustering, .. Persistence, .. Reminders];
}
