using Microsoft.Win32.SafeHandles;

namespace ClusterLlm.LlamaCpp.Native;

/// <summary>Owns a <c>llama_model*</c>; frees it with <c>llama_model_free</c>.</summary>
internal sealed class SafeLlamaModelHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SafeLlamaModelHandle()
        : base(ownsHandle: true)
    {
    }

    public SafeLlamaModelHandle(IntPtr model)
        : base(ownsHandle: true) => SetHandle(model);

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_model_free(handle);
        return true;
    }
}

/// <summary>Owns a <c>llama_context*</c>; frees it with <c>llama_free</c>. Keeps its model alive while it exists.</summary>
internal sealed class SafeLlamaContextHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private readonly SafeLlamaModelHandle? _model;

    public SafeLlamaContextHandle()
        : base(ownsHandle: true)
    {
    }

    public SafeLlamaContextHandle(IntPtr context, SafeLlamaModelHandle model)
        : base(ownsHandle: true)
    {
        SetHandle(context);
        var added = false;
        model.DangerousAddRef(ref added);
        _model = model;
    }

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_free(handle);
        _model?.DangerousRelease();
        return true;
    }
}

/// <summary>Owns a <c>llama_sampler*</c> (a chain frees the samplers added to it); frees it with <c>llama_sampler_free</c>.</summary>
internal sealed class SafeLlamaSamplerHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SafeLlamaSamplerHandle()
        : base(ownsHandle: true)
    {
    }

    public SafeLlamaSamplerHandle(IntPtr sampler)
        : base(ownsHandle: true) => SetHandle(sampler);

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_sampler_free(handle);
        return true;
    }
}
