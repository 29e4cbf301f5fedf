using Grpo.Core.Model;

namespace Grpo.Core.Tests.Model;

public sealed class LoraOptionsTests
{
    [Theory]
    [InlineData("q", "q_proj")]
    [InlineData("gate", "gate_proj")]
    [InlineData("down_proj", "down_proj")]
    public void ConfigurationNamesMapToHuggingFaceProjections(string name, string expected) =>
        Assert.Equal(expected, LoraOptions.TargetModuleName(name));

    [Fact]
    public void AnUnknownTargetNameIsRefusedWithTheChoices()
    {
        var error = Assert.Throws<ArgumentException>(() => LoraOptions.TargetModuleName("lm_head"));
        Assert.Contains("'lm_head'", error.Message);
        Assert.Contains("q_proj", error.Message);
    }

    [Fact]
    public void DefaultsArePeftsAlphaOnAllSevenProjectionsInFloat32()
    {
        var options = new LoraOptions { Rank = 4 };
        options.Validate();
        Assert.Equal(8, options.Alpha);
        Assert.Equal(2.0, options.Scale);
        Assert.Equal(7, options.TargetModules.Count);
        Assert.Equal("float32", options.BaseDtype);
    }

    public static TheoryData<LoraOptions, string, string> Invalid => new()
    {
        { new LoraOptions { Rank = 0 }, nameof(LoraOptions.Rank), "got 0" },
        { new LoraOptions { Rank = 4, Alpha = -1 }, nameof(LoraOptions.Alpha), "got -1" },
        { new LoraOptions { Rank = 4, Dropout = 1 }, nameof(LoraOptions.Dropout), "got 1" },
        { new LoraOptions { Rank = 4, TargetModules = [] }, nameof(LoraOptions.TargetModules), "at least one" },
        { new LoraOptions { Rank = 4, TargetModules = ["q"] }, nameof(LoraOptions.TargetModules), "'q'" },
        { new LoraOptions { Rank = 4, TargetModules = ["q_proj", "q_proj"] }, nameof(LoraOptions.TargetModules), "listed twice" },
        { new LoraOptions { Rank = 4, BaseDtype = "float16" }, nameof(LoraOptions.BaseDtype), "'float16'" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void InvalidFieldsAreNamed(LoraOptions options, string field, string detail)
    {
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(field, error.ParamName);
        Assert.Contains(detail, error.Message);
    }
}
