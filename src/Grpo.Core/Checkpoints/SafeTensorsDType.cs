using static TorchSharp.torch;

namespace Grpo.Core.Checkpoints;

/// <summary>Maps the dtype names of the safetensors header to TorchSharp scalar types and element sizes.</summary>
internal static class SafeTensorsDType
{
    static readonly (string Name, ScalarType Type, int Size)[] Known =
    [
        ("F64", ScalarType.Float64, 8),
        ("F32", ScalarType.Float32, 4),
        ("F16", ScalarType.Float16, 2),
        ("BF16", ScalarType.BFloat16, 2),
        ("I64", ScalarType.Int64, 8),
        ("I32", ScalarType.Int32, 4),
        ("I16", ScalarType.Int16, 2),
        ("I8", ScalarType.Int8, 1),
        ("U8", ScalarType.Byte, 1),
        ("BOOL", ScalarType.Bool, 1),
    ];

    public static bool TryParse(string name, out ScalarType type, out int elementSize)
    {
        foreach (var known in Known)
        {
            if (known.Name == name)
            {
                type = known.Type;
                elementSize = known.Size;
                return true;
            }
        }
        type = default;
        elementSize = 0;
        return false;
    }

    public static string NameOf(ScalarType type, string tensorName)
    {
        foreach (var known in Known)
            if (known.Type == type)
                return known.Name;
        throw new ArgumentException($"Tensor '{tensorName}' has dtype {type}, which safetensors cannot store here.", nameof(type));
    }

    public static int SizeOf(ScalarType type, string tensorName)
    {
        foreach (var known in Known)
            if (known.Type == type)
                return known.Size;
        throw new ArgumentException($"Tensor '{tensorName}' has dtype {type}, which safetensors cannot store here.", nameof(type));
    }

    public static string SupportedNames => string.Join(", ", Known.Select(k => k.Name));
}
