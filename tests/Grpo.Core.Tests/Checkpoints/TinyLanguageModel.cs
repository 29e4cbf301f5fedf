using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Checkpoints;

/// <summary>A minimal module whose state_dict names follow Hugging Face's layout: model.embed_tokens.weight, model.proj.*.</summary>
internal sealed class TinyLanguageModel : nn.Module<Tensor, Tensor>
{
    readonly TinyBody model;

    public TinyLanguageModel(long seed) : base(nameof(TinyLanguageModel))
    {
        manual_seed(seed);
        model = new TinyBody();
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => model.forward(input);

    internal sealed class TinyBody : nn.Module<Tensor, Tensor>
    {
        readonly Embedding embed_tokens = nn.Embedding(5, 3);
        readonly Linear proj = nn.Linear(3, 2);

        public TinyBody() : base(nameof(TinyBody)) => RegisterComponents();

        public override Tensor forward(Tensor input) => proj.forward(embed_tokens.forward(input));
    }
}
