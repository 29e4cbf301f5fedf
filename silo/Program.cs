using Grpo.Core.Runtime;

try
{
    TorchRuntime.EnsureAvailable();
}
catch (TorchUnavailableException e)
{
    Console.Error.WriteLine("grpo-silo: " + e.Message);
    return 3;
}
Console.WriteLine("grpo-silo: libtorch loaded.");
return 0;
