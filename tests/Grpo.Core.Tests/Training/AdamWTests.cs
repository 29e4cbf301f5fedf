using Grpo.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Training;

public sealed class AdamWTests
{
    [Fact]
    public void Matches_torch_AdamW_over_several_steps()
    {
        torch.manual_seed(7);
        var initial = randn(4, 3, dtype: ScalarType.Float64);
        var ours = new TorchSharp.Modules.Parameter(initial.clone());
        var theirs = new TorchSharp.Modules.Parameter(initial.clone());
        var options = new AdamWOptions { Beta1 = 0.9, Beta2 = 0.95, Epsilon = 1e-8, WeightDecay = 0.1 };
        using var adam = new AdamW([("w", ours)], options);
        var reference = optim.AdamW([theirs], lr: 0.01, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0.1);

        for (var step = 0; step < 5; step++)
        {
            var target = randn(4, 3, dtype: ScalarType.Float64);
            ((ours - target).square().sum() * (step + 1)).backward();
            ((theirs - target).square().sum() * (step + 1)).backward();
            adam.Update(0.01);
            reference.step();
            adam.ZeroGrad();
            reference.zero_grad();
        }

        Assert.True(allclose(ours, theirs, rtol: 1e-10, atol: 1e-12), "AdamW drifted from torch.optim.AdamW");
        Assert.Equal(5, adam.Step);
    }

    [Fact]
    public void Float32_parameters_follow_the_AdamW_formula_computed_by_hand()
    {
        // torch.optim.AdamW (the test above) uses the same lerp call as this optimizer, so it cannot catch a misuse of
        // it; this reference is the published update in plain double arithmetic, over several float32 parameters
        // (the dtype models train in), with weight decay and a learning rate that changes between steps.
        const double Beta1 = 0.9, Beta2 = 0.99, Epsilon = 1e-8, WeightDecay = 0.05;
        double[][] start = [[0.5, -1.25, 2.0], [3.0, -0.75]];
        double[][][] gradients =
        [
            [[0.2, -0.1, 0.05], [1.5, -2.0]],
            [[-0.3, 0.4, 0.0], [0.25, 0.5]],
            [[0.01, -0.02, 0.3], [-1.0, 0.125]],
            [[0.6, 0.0, -0.45], [0.75, -0.3]],
        ];
        double[] learningRates = [0.01, 0.02, 0.005, 0.015];

        var parameters = start.Select(values => new TorchSharp.Modules.Parameter(tensor(values.Select(v => (float)v).ToArray()))).ToArray();
        using var adam = new AdamW(parameters.Select((p, i) => ($"p{i}", p)),
            new AdamWOptions { Beta1 = Beta1, Beta2 = Beta2, Epsilon = Epsilon, WeightDecay = WeightDecay });
        var expected = start.Select(values => values.ToArray()).ToArray();
        var m = start.Select(values => new double[values.Length]).ToArray();
        var v = start.Select(values => new double[values.Length]).ToArray();

        for (var step = 1; step <= gradients.Length; step++)
        {
            var lr = learningRates[step - 1];
            for (var i = 0; i < parameters.Length; i++)
            {
                // d/dp of sum(p * g) is g: the gradient arrives through autograd as it does in training.
                (parameters[i] * tensor(gradients[step - 1][i].Select(g => (float)g).ToArray())).sum().backward();
                for (var j = 0; j < expected[i].Length; j++)
                {
                    var g = gradients[step - 1][i][j];
                    expected[i][j] *= 1 - lr * WeightDecay;
                    m[i][j] = Beta1 * m[i][j] + (1 - Beta1) * g;
                    v[i][j] = Beta2 * v[i][j] + (1 - Beta2) * g * g;
                    var mHat = m[i][j] / (1 - Math.Pow(Beta1, step));
                    var vHat = v[i][j] / (1 - Math.Pow(Beta2, step));
                    expected[i][j] -= lr * mHat / (Math.Sqrt(vHat) + Epsilon);
                }
            }
            adam.Update(lr);
            adam.ZeroGrad();

            for (var i = 0; i < parameters.Length; i++)
            {
                var actual = parameters[i].data<float>().ToArray();
                for (var j = 0; j < actual.Length; j++)
                    Assert.True(Math.Abs(actual[j] - expected[i][j]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i][j])),
                        $"step {step}, p{i}[{j}]: AdamW gave {actual[j]}, the formula {expected[i][j]}");
            }
        }
    }

    [Fact]
    public void First_step_moves_each_weight_by_the_learning_rate()
    {
        // Step 1: m̂ = g, v̂ = g², so the update is lr·g/(|g|+eps) = lr·sign(g) (no weight decay).
        var weight = new TorchSharp.Modules.Parameter(tensor(new[] { 1.0, -2.0, 3.0 }));
        using var adam = new AdamW([("w", weight)], new AdamWOptions());
        (weight * tensor(new[] { 5.0, -0.5, 0.0 })).sum().backward();
        adam.Update(0.1);
        var values = weight.data<double>().ToArray();
        Assert.Equal(0.9, values[0], 6);
        Assert.Equal(-1.9, values[1], 6);
        Assert.Equal(3.0, values[2], 6); // zero gradient: no move
    }

    [Fact]
    public void State_round_trip_continues_identically()
    {
        torch.manual_seed(3);
        var start = randn(5, dtype: ScalarType.Float64);
        var a = new TorchSharp.Modules.Parameter(start.clone());
        var b = new TorchSharp.Modules.Parameter(start.clone());
        using var first = new AdamW([("w", a)], new AdamWOptions());
        using var second = new AdamW([("w", b)], new AdamWOptions());
        var targets = Enumerable.Range(0, 4).Select(_ => randn(5, dtype: ScalarType.Float64)).ToArray();

        void Step(AdamW adam, TorchSharp.Modules.Parameter p, Tensor target)
        {
            (p - target).square().sum().backward();
            adam.Update(0.05);
            adam.ZeroGrad();
        }

        Step(first, a, targets[0]);
        Step(first, a, targets[1]);
        using (no_grad()) b.copy_(a);
        second.LoadState(first.StateTensors(), "test");
        Step(first, a, targets[2]);
        Step(second, b, targets[2]);
        Assert.True(allclose(a, b, rtol: 0, atol: 0));
        Assert.Equal(first.Step, second.Step);
    }

    [Fact]
    public void LoadState_names_a_missing_moment()
    {
        var p = new TorchSharp.Modules.Parameter(zeros(2));
        using var adam = new AdamW([("layer.weight", p)], new AdamWOptions());
        var state = adam.StateTensors();
        state.Remove(AdamW.SecondMomentPrefix + "layer.weight");
        var error = Assert.Throws<InvalidDataException>(() => adam.LoadState(state, "ckpt/optimizer.safetensors"));
        Assert.Contains("ckpt/optimizer.safetensors", error.Message);
        Assert.Contains("exp_avg_sq.layer.weight", error.Message);
    }

    [Fact]
    public void LoadState_names_a_shape_mismatch()
    {
        var p = new TorchSharp.Modules.Parameter(zeros(2));
        using var adam = new AdamW([("w", p)], new AdamWOptions());
        var state = adam.StateTensors();
        state[AdamW.FirstMomentPrefix + "w"] = zeros(3);
        var error = Assert.Throws<InvalidDataException>(() => adam.LoadState(state, "opt"));
        Assert.Contains("exp_avg.w", error.Message);
    }

    [Fact]
    public void Invalid_options_are_refused_by_name()
    {
        Assert.Contains("beta1", Assert.Throws<ArgumentException>(() => new AdamWOptions { Beta1 = 1 }.Validate()).Message);
        Assert.Contains("weight decay", Assert.Throws<ArgumentException>(() => new AdamWOptions { WeightDecay = -1 }.Validate()).Message);
    }
}
