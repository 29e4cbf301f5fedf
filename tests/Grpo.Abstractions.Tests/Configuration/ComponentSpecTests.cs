using System.Text.Json;
using Grpo.Abstractions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Grpo.Abstractions.Tests.Configuration;

public sealed class ComponentSpecTests
{
    [Fact]
    public void A_bare_string_is_a_name_without_parameters_and_is_written_back_as_one()
    {
        var spec = JsonSerializer.Deserialize<ComponentSpec>("\"k3\"")!;

        Assert.Equal("k3", spec.Name);
        Assert.Empty(spec.Parameters);
        Assert.Equal("\"k3\"", JsonSerializer.Serialize(spec));
    }

    [Fact]
    public void An_object_gives_the_name_and_parameters_written_back_sorted_and_compact()
    {
        var spec = JsonSerializer.Deserialize<ComponentSpec>("""{ "tau_pos": 1.0, "name": "sapo", "bounds": [ 1, 2 ] }""")!;

        Assert.Equal("sapo", spec.Name);
        Assert.Equal(1.0, spec.Parameter("tau_pos")!.Value.GetDouble());
        Assert.Null(spec.Parameter("tau_neg"));
        Assert.Equal("""{"name":"sapo","bounds":[1,2],"tau_pos":1.0}""", JsonSerializer.Serialize(spec));
        Assert.Equal(["bounds", "tau_pos"], spec.ParametersAsJson().Keys);
    }

    [Theory]
    [InlineData("""{ "tau_pos": 1 }""", "needs \"name\"")]
    [InlineData("""{ "name": 3 }""", "\"name\" must be a string")]
    [InlineData("""{ "name": "a", "name": "b" }""", "\"name\" appears twice")]
    [InlineData("""{ "name": "a", "x": 1, "x": 2 }""", "parameter \"x\" appears twice")]
    [InlineData("42", "expected a component name or an object")]
    public void Malformed_selections_are_refused_with_what_is_wrong(string json, string expected)
    {
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ComponentSpec>(json));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Equality_is_by_name_and_parameter_values_whatever_their_order_and_spacing()
    {
        var first = JsonSerializer.Deserialize<ComponentSpec>("""{ "name": "format", "weight": 0.2, "pattern": "####" }""")!;
        var second = JsonSerializer.Deserialize<ComponentSpec>("""{"pattern":"####","weight":0.2,"name":"format"}""")!;

        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.Equal(new ComponentSpec("format").WithParameter("weight", 0.2).WithParameter("pattern", "####"), first);
        Assert.NotEqual(first, first.WithParameter("weight", 0.3));
        Assert.NotEqual(first, new ComponentSpec("Format", first.Parameters));
        Assert.Equal(new ComponentSpec("format").WithParameter("pattern", "####"), first.WithoutParameter("weight"));
    }

    [Fact]
    public void Name_is_not_a_parameter_and_parameter_text_must_be_json()
    {
        Assert.Throws<ArgumentException>(() => new ComponentSpec("a").WithParameterJson("name", "\"b\""));
        Assert.Throws<ArgumentException>(() => new ComponentSpec("a").WithParameterJson("x", "not json"));
    }

    [Fact]
    public void Orleans_serializer_round_trips_a_selection_with_parameters()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var spec = new ComponentSpec("http").WithParameter("url", "http://judge").WithParameter("timeout_seconds", 10);

        var copy = serializer.Deserialize<ComponentSpec>(serializer.SerializeToArray(spec))!;

        Assert.Equal(spec, copy);
        Assert.Equal("http://judge", copy.Parameter("url")!.Value.GetString());
    }
}
