using Grpo.Core.Training;

namespace Grpo.Core.Tests.Training;

public sealed class LearningRateScheduleTests
{
    [Fact]
    public void Constant_with_warmup_ramps_linearly_then_holds()
    {
        var schedule = new LearningRateSchedule { PeakLearningRate = 1.0, WarmupSteps = 4 };
        Assert.Equal(0.25, schedule.At(0), 12);
        Assert.Equal(0.75, schedule.At(2), 12);
        Assert.Equal(1.0, schedule.At(3), 12);
        Assert.Equal(1.0, schedule.At(100), 12);
    }

    [Fact]
    public void Warmup_cosine_reaches_half_way_and_the_floor()
    {
        // After warm-up (2 steps) the cosine runs over 10 steps from 1.0 to the floor 0.1:
        // at progress 1/2, lr = 0.1 + 0.9·(1+cos(π/2))/2 = 0.55; at the end, 0.1.
        var schedule = new LearningRateSchedule
        {
            Kind = LearningRateScheduleKind.WarmupCosine, PeakLearningRate = 1.0, WarmupSteps = 2, TotalSteps = 12, MinLearningRateRatio = 0.1,
        };
        Assert.Equal(0.5, schedule.At(0), 12);
        Assert.Equal(1.0, schedule.At(2), 12);
        Assert.Equal(0.55, schedule.At(7), 12);
        Assert.Equal(0.1, schedule.At(12), 12);
        Assert.Equal(0.1, schedule.At(50), 12);
    }

    [Fact]
    public void Cosine_without_room_after_warmup_is_refused()
    {
        var schedule = new LearningRateSchedule { Kind = LearningRateScheduleKind.WarmupCosine, WarmupSteps = 5, TotalSteps = 5 };
        Assert.Contains("total steps", Assert.Throws<ArgumentException>(schedule.Validate).Message);
    }
}
