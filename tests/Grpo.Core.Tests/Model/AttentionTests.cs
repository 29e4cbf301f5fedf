using Grpo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Model;

public sealed class AttentionTests
{
    [Fact]
    public void QueryHeadsShareKeyValueHeadsInConsecutiveGroupsLikeHuggingFaceRepeatKv()
    {
        using var scope = NewDisposeScope();
        // 4 query heads, 2 kv heads of size 4: heads 0,1 must read kv head 0 and heads 2,3 kv head 1.
        var config = TestModels.Qwen2() with { HiddenSize = 16, NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = 4 };
        using var attention = new Attention(config);
        var parameters = attention.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (no_grad())
        {
            // Values ignore the input: kv head 0 holds +1s, kv head 1 holds -1s; o_proj passes the context through.
            parameters["v_proj.weight"].zero_();
            parameters["v_proj.bias"].copy_(tensor(new float[] { 1, 1, 1, 1, -1, -1, -1, -1 }));
            parameters["o_proj.weight"].copy_(eye(16));
        }
        var hidden = randn(1, 3, 16);
        var (cos, sin) = RotaryEmbedding.CosSin(arange(3L).unsqueeze(0), 4, 10000);
        var (_, allowed) = CausalLM.PositionsAndMask(ones(1, 3, ScalarType.Int64), 0, 3);
        var output = attention.Forward(hidden, cos, sin, allowed, null, 0);
        var expected = tensor(new float[] { 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1, -1 }).expand(1, 3, 16);
        Assert.True(allclose(output, expected, 1e-5, 1e-5));
    }

    [Fact]
    public void AttentionToASingleKeyReturnsThatKeysValue()
    {
        using var scope = NewDisposeScope();
        var config = TestModels.Llama() with { HiddenSize = 8, NumAttentionHeads = 2, NumKeyValueHeads = 2, HeadDim = 4 };
        using var attention = new Attention(config);
        var parameters = attention.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (no_grad()) parameters["o_proj.weight"].copy_(eye(8));
        var hidden = randn(1, 2, 8);
        var (cos, sin) = RotaryEmbedding.CosSin(arange(2L).unsqueeze(0), 4, 10000);
        var (_, allowed) = CausalLM.PositionsAndMask(ones(1, 2, ScalarType.Int64), 0, 2);
        var output = attention.Forward(hidden, cos, sin, allowed, null, 0);
        // The first position is causal-masked to itself: its output is exactly v_proj(x0).
        var value = nn.functional.linear(hidden[0, 0], parameters["v_proj.weight"]);
        Assert.True(allclose(output[0, 0], value, 1e-5, 1e-5));
    }
}
