using Grpo.Core.Runtime;

try
{
    TorchRuntime.EnsureAvailable();
}
catch (TorchUnavailableException e)
{
    Console.Error.WriteLine("grpo: " + e.Message);
    return 3;
}
Console.WriteLine("grpo: libtorch loaded.");
return 0;
