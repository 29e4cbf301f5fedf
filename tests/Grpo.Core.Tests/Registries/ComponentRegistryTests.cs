using System.Text.Json;
using Grpo.Core.Registries;
using Grpo.Core.Rewards;

namespace Grpo.Core.Tests.Registries;

public sealed class ComponentRegistryTests
{
    [GrpoComponent("test_constant", Description = "Scores every completion the same.")]
    internal sealed class ConstantReward(ComponentArguments arguments) : IRewardFunction
    {
        public float Value { get; } = arguments.GetFloat("value", 0.5f);

        public string Name => "test_constant";

        public ValueTask<float> ScoreAsync(RewardInput input, CancellationToken cancellationToken = default) => ValueTask.FromResult(Value);
    }

    internal sealed record Greeting(string Text);

    internal sealed class GreetingReward(Greeting greeting) : IRewardFunction
    {
        public string Name => greeting.Text;

        public ValueTask<float> ScoreAsync(RewardInput input, CancellationToken cancellationToken = default) => ValueTask.FromResult(1f);
    }

    static ComponentArguments Arguments(string json, ComponentServices? services = null) =>
        new("rewards[1]", JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json), services);

    [Fact]
    public void An_unknown_name_is_refused_with_the_registered_names_and_the_closest_one()
    {
        var registry = new ComponentRegistry<IRewardFunction>("reward").Add<ConstantReward>("constant").Add<ConstantReward>("length");
        var error = Assert.Throws<ComponentException>(() => registry.Create("constnat", Arguments("{}")));
        Assert.Equal("rewards[1]", error.Path);
        Assert.Equal("'constnat' is not a registered reward; did you mean 'constant'? (known: constant, length)", error.Problem);
    }

    [Fact]
    public void Constructor_parameters_are_the_arguments_and_what_the_run_offers()
    {
        var registry = new ComponentRegistry<IRewardFunction>("reward").Add<ConstantReward>("constant").Add<GreetingReward>("greeting");
        Assert.Equal(2f, Assert.IsType<ConstantReward>(registry.Create("constant", Arguments("""{"value": 2}"""))).Value);
        Assert.Equal(0.5f, Assert.IsType<ConstantReward>(registry.Create("constant", Arguments("{}"))).Value);
        var services = new ComponentServices().With(new Greeting("hello"));
        Assert.Equal("hello", registry.Create("greeting", Arguments("{}", services)).Name);
        var missing = Assert.Throws<MissingComponentServiceException>(() => registry.Create("greeting", Arguments("{}")));
        Assert.Contains("needs a Greeting ('greeting')", missing.Problem);
    }

    [Fact]
    public void A_parameter_nobody_reads_is_refused_naming_the_ones_that_are_read()
    {
        var registry = new ComponentRegistry<IRewardFunction>("reward").Add<ConstantReward>("constant");
        var error = Assert.Throws<ComponentException>(() => registry.Create("constant", Arguments("""{"valeu": 2}""")));
        Assert.Equal("rewards[1].valeu", error.Path);
        Assert.Equal("is not a parameter of reward 'constant'; did you mean 'value'? (it takes value)", error.Problem);
    }

    [Fact]
    public void A_parameter_of_the_wrong_type_is_named_with_what_was_expected()
    {
        var registry = new ComponentRegistry<IRewardFunction>("reward").Add<ConstantReward>("constant");
        var error = Assert.Throws<ComponentException>(() => registry.Create("constant", Arguments("""{"value": "high"}""")));
        Assert.Equal("rewards[1].value", error.Path);
        Assert.Equal("expected a number (default 0.5), got the string \"high\"", error.Problem);
    }

    [Fact]
    public void Typed_getters_read_each_kind_and_refuse_the_others()
    {
        var arguments = Arguments("""{"n": 3, "flag": true, "mode": "b", "names": ["x", "y"], "one": "z", "url": "http://h", "none": null}""");
        Assert.Equal(3, arguments.GetInt("n", 0));
        Assert.True(arguments.GetBool("flag", false));
        Assert.Equal("b", arguments.GetChoice("mode", "a", "a", "b"));
        Assert.Equal(["x", "y"], arguments.GetStrings("names", []));
        Assert.Equal(["z"], arguments.GetStrings("one", []));
        Assert.Equal("http://h", arguments.RequireString("url"));
        Assert.Null(arguments.GetOptionalString("none"));
        Assert.Equal(7, arguments.GetInt("absent", 7));
        arguments.EnsureAllRead("test");
        Assert.Equal("rewards[1].missing", Assert.Throws<ComponentException>(() => arguments.RequireString("missing")).Path);
        Assert.Contains("must be one of a, c", Assert.Throws<ComponentException>(() => Arguments("""{"mode": "b"}""").GetChoice("mode", "a", "a", "c")).Problem);
        Assert.Contains("expected a whole number", Assert.Throws<ComponentException>(() => Arguments("""{"n": 1.5}""").GetInt("n", 0)).Problem);
        Assert.Contains("expected true or false", Assert.Throws<ComponentException>(() => Arguments("""{"b": 1}""").GetBool("b", false)).Problem);
    }

    [Fact]
    public void A_refusal_by_the_component_itself_names_the_component_and_its_key()
    {
        var registry = new ComponentRegistry<IRewardFunction>("reward")
            .Add("picky", arguments => throw new ArgumentException("threshold must be positive"));
        var error = Assert.Throws<ComponentException>(() => registry.Create("picky", Arguments("{}")));
        Assert.Equal("reward 'picky' refused its configuration: threshold must be positive", error.Problem);
    }

    [Fact]
    public void A_later_registration_of_a_name_replaces_the_earlier_one_in_its_place()
    {
        var registry = new ComponentRegistry<IRewardFunction>("reward").Add<ConstantReward>("a").Add<ConstantReward>("b").Add<GreetingReward>("a");
        Assert.Equal(["a", "b"], registry.Names);
        Assert.Equal(typeof(GreetingReward), registry.ImplementationOf("a"));
    }

    [Fact]
    public void An_assembly_scan_registers_every_marked_class_in_the_registry_of_its_interface()
    {
        var registries = new GrpoRegistries().AddFromAssembly(typeof(ComponentRegistryTests).Assembly);
        Assert.Contains("test_constant", registries.Rewards.Names);
        Assert.Equal("Scores every completion the same.", registries.Rewards.Describe("test_constant"));
        Assert.Contains(typeof(ComponentRegistryTests).Assembly, registries.ScannedAssemblies);
    }

    [Theory]
    [InlineData("lenght", "length")]
    [InlineData("answr", "answer")]
    [InlineData("zzzzzz", null)]
    public void Suggestions_find_the_closest_name_within_reach(string typed, string? expected) =>
        Assert.Equal(expected, NameSuggestions.Closest(typed, ["answer", "format", "length"]));
}
