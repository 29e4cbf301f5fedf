using Grpo.Core.Training;

namespace Grpo.Core.Tests.Training;

public sealed class SupervisedWarmupTests
{
    [Fact]
    public void Stops_at_the_first_check_where_the_target_is_reached()
    {
        var setup = new ArithmeticSetup(maxOperand: 9, seed: 1);
        using var trainer = new SupervisedTrainer(setup.Policy, new LearningRateSchedule { PeakLearningRate = 1e-3 }, new AdamWOptions(), 1.0, setup.PadId);
        var checks = 0;
        var result = SupervisedWarmup.Run(trainer, setup.Codec, setup.Task.Train, steps: 100, batchSize: 8, seed: 2,
            targetReached: () => ++checks == 2, checkEvery: 5);

        Assert.Equal(new WarmupResult(10, result.Loss, ReachedTarget: true), result);
        Assert.Equal(10, trainer.Steps);
    }

    [Fact]
    public void With_two_checks_in_a_row_a_single_lucky_check_does_not_stop_it()
    {
        var setup = new ArithmeticSetup(maxOperand: 9, seed: 1);
        using var trainer = new SupervisedTrainer(setup.Policy, new LearningRateSchedule { PeakLearningRate = 1e-3 }, new AdamWOptions(), 1.0, setup.PadId);
        bool[] answers = [false, true, false, true, true, true];
        var checks = 0;
        var result = SupervisedWarmup.Run(trainer, setup.Codec, setup.Task.Train, steps: 100, batchSize: 8, seed: 2,
            targetReached: () => answers[checks++], checkEvery: 5, checksInARow: 2);

        Assert.Equal(new WarmupResult(25, result.Loss, ReachedTarget: true), result);
        Assert.Equal(5, checks);
    }

    [Fact]
    public void Runs_every_step_when_the_target_is_never_reached_and_the_loss_falls()
    {
        var setup = new ArithmeticSetup(maxOperand: 9, seed: 1);
        using var trainer = new SupervisedTrainer(setup.Policy, new LearningRateSchedule { PeakLearningRate = 3e-3 }, new AdamWOptions(), 1.0, setup.PadId);
        var losses = new List<float>();
        var result = SupervisedWarmup.Run(trainer, setup.Codec, setup.Task.Train, steps: 60, batchSize: 16, seed: 2,
            progress: new SynchronousProgress(p => losses.Add(p.Loss)), targetReached: () => false, checkEvery: 10);

        Assert.False(result.ReachedTarget);
        Assert.Equal(60, result.Steps);
        Assert.Equal(60, losses.Count);
        Assert.True(losses.Skip(50).Average() < losses.Take(10).Average() * 0.7, "warm-up loss must fall");
    }

    [Fact]
    public void No_examples_is_refused()
    {
        var setup = new ArithmeticSetup(maxOperand: 9, seed: 1);
        using var trainer = new SupervisedTrainer(setup.Policy, new LearningRateSchedule(), new AdamWOptions(), 1.0, setup.PadId);
        Assert.Throws<ArgumentException>(() => SupervisedWarmup.Run(trainer, setup.Codec, [], 5, 4, 1));
    }

    sealed class SynchronousProgress(Action<(int Step, float Loss)> report) : IProgress<(int Step, float Loss)>
    {
        public void Report((int Step, float Loss) value) => report(value);
    }
}
