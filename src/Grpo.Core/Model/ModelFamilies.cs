using Grpo.Core.Registries;

namespace Grpo.Core.Model;

/// <summary>
/// Finds the family a config.json names in its <c>architectures</c> field, in the registry a host built (the built-ins
/// plus whatever it or its plugins added) or, for callers given none, in the built-in set.
/// </summary>
public static class ModelFamilies
{
    /// <summary>
    /// The built-in families, found by their <see cref="GrpoComponentAttribute"/> as a host's default set is. Kept here
    /// rather than handed out so that nobody's registrations change what every other default-registry caller loads.
    /// </summary>
    internal static ComponentRegistry<IModelFamily> BuiltIn { get; } = GrpoRegistries.CreateDefault().ModelFamilies;

    /// <summary>
    /// The family registered as <paramref name="architecture"/>; an unknown name is refused naming
    /// <paramref name="sourceName"/>, the field and the registered families.
    /// </summary>
    public static IModelFamily Find(ComponentRegistry<IModelFamily> families, string architecture, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(families);
        ArgumentNullException.ThrowIfNull(architecture);
        if (!families.Contains(architecture))
            throw new InvalidDataException(
                $"{sourceName}: field 'architectures' = '{architecture}' is not supported: no {families.Kind} is registered under that name; " +
                NameSuggestions.Describe(architecture, families.Names));

        IModelFamily family;
        try
        {
            family = families.Create(architecture, new ComponentArguments("architectures"));
        }
        catch (ComponentException e)
        {
            throw new InvalidDataException($"{sourceName}: field 'architectures' = '{architecture}': {e.Problem}", e);
        }

        // The registry name and the name the family writes back into config.json must agree, or a saved model would
        // not load as the family that saved it.
        if (family.Architecture != architecture)
            throw new InvalidDataException(
                $"{sourceName}: field 'architectures' = '{architecture}' selects {family.GetType().FullName}, whose Architecture is " +
                $"'{family.Architecture}'; a model family must be registered under its own architecture name");
        return family;
    }
}
