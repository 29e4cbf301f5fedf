using Grpo.Abstractions.Contracts;
using Grpo.Grains.Learning;

namespace Grpo.Cluster.Tests.Learning;

public sealed class TokenVersionMixTests
{
    static CompletionResult Completion(int tokens, long version, params PolicyVersionSpan[] spans) =>
        new($"run/3/1/{tokens}", Enumerable.Range(1, tokens).ToArray(), new float[tokens], version, Reward: 0, Truncated: false, "", "silo")
        {
            TokenVersions = spans,
        };

    static ScoredGroup Group(params CompletionResult[] completions) => new("run", 3, 1, [1, 2], completions);

    [Fact]
    public void Tags_that_cover_the_tokens_in_rising_versions_pass_and_untagged_completions_too()
    {
        TokenVersionMix.Check(Group(Completion(5, 2, new(2, 3), new(3, 2)), Completion(4, 3, new PolicyVersionSpan(3, 4)), Completion(6, 2)));
    }

    [Theory]
    [InlineData(new long[] { 2, 3 }, new[] { 3, 3 }, "group 3/1, completion 0 (run/3/1/5): token_versions tag 6 tokens, but the completion has 5.")]
    [InlineData(new long[] { 1, 3 }, new[] { 3, 2 }, "group 3/1, completion 0 (run/3/1/5): token_versions[0].version is 1, but the completion's policy version (its oldest token's) is 2.")]
    [InlineData(new long[] { 2, 2 }, new[] { 3, 2 }, "group 3/1, completion 0 (run/3/1/5): token_versions[1].version is 2, not newer than the 2 before it.")]
    [InlineData(new long[] { 2, 3 }, new[] { 5, 0 }, "group 3/1, completion 0 (run/3/1/5): token_versions[1].tokens is 0; every span holds at least one token.")]
    public void Tags_that_do_not_describe_the_tokens_are_refused_naming_group_completion_and_field(long[] versions, int[] counts, string expected)
    {
        var spans = versions.Zip(counts, (version, count) => new PolicyVersionSpan(version, count)).ToArray();

        var error = Assert.Throws<ArgumentException>(() => TokenVersionMix.Check(Group(Completion(5, 2, spans))));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void The_older_version_fraction_counts_tokens_before_each_completions_newest_version()
    {
        var groups = new[]
        {
            // 3 of 5 tokens before version 4; 2 of 10 before version 3 (the last span's version is the newest).
            Group(Completion(5, 2, new(2, 1), new(3, 2), new(4, 2)), Completion(10, 2, new(2, 2), new(3, 8))),
            // Untagged and single-version completions add tokens, none of them older.
            Group(Completion(6, 1), Completion(4, 3, new PolicyVersionSpan(3, 4))),
        };

        Assert.Equal(5f / 25, TokenVersionMix.OlderVersionFraction(groups), 6);
        Assert.Equal(0f, TokenVersionMix.OlderVersionFraction([Group(Completion(6, 1))]));
        Assert.Equal(0f, TokenVersionMix.OlderVersionFraction([]));
    }
}
