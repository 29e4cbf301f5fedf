namespace Grpo.Cluster.Tests;

/// <summary>Reports where an activation landed, so tests can check placement.</summary>
public interface IWhereAmIGrain : IGrainWithStringKey
{
    Task<string> SiloAddress();

    /// <summary>The metadata of the hosting silo as the cluster's metadata cache sees it.</summary>
    Task<Dictionary<string, string>> SiloMetadata();
}

public interface IRolloutWhereAmIGrain : IWhereAmIGrain;

public interface ILearnerWhereAmIGrain : IWhereAmIGrain;

public interface IExplicitStrategyLearnerGrain : IWhereAmIGrain;
