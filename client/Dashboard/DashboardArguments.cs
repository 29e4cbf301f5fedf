using Grpo.Client.Cluster;

namespace Grpo.Client.Dashboard;

/// <summary>A validated <c>grpo dashboard</c>: the cluster to show and how the page is served.</summary>
public sealed record DashboardArguments(ClusterTarget Target, DashboardSettings Settings);
