using CarClassifier.Bench.Isolated.Rpc;
using CarClassifier.Core;

namespace CarClassifier.Bench.Isolated;

/// <summary>
/// A function that does nothing, loaded into the real worker by the stand-in host only (never part of the app), so the
/// bench can measure what an invocation costs the worker apart from the function body: the gRPC hop, the worker's
/// invocation pipeline (context, features, middleware, input binding of a string) and the response. The worker locates
/// the method by its assembly path and entry point (FunctionLoadRequest metadata, as for any function). The app's
/// executor is the one Worker.Sdk's FunctionExecutorGenerator writes (DirectFunctionExecutor): it binds the inputs
/// (here: the message text to a string), then compares the entry point with the app's own functions and, matching
/// none, returns; so the body below never runs and an invocation costs exactly the worker's per-invocation overhead.
/// </summary>
public static class NoOpFunction
{
    /// <summary>The function name the stand-in loads it under.</summary>
    public const string Name = "BenchNoOp";

    /// <summary>Its queue-trigger parameter, bound as a string (the message text).</summary>
    public const string ParameterName = "message";

    /// <summary>The function body: nothing.</summary>
    public static void Run(string message) => _ = message;

    /// <summary>The metadata the worker's indexer would report for it: a queue trigger on the work queue, bound as a string.</summary>
    internal static RpcFunctionMetadata Metadata()
    {
        var metadata = new RpcFunctionMetadata
        {
            Name = Name,
            FunctionId = Guid.NewGuid().ToString(),
            ScriptFile = typeof(NoOpFunction).Assembly.Location,
            EntryPoint = $"{typeof(NoOpFunction).FullName}.{nameof(Run)}",
            Language = "dotnet-isolated",
        };
        metadata.Bindings.Add(ParameterName, new BindingInfo { Type = "queueTrigger", Direction = BindingInfo.Types.Direction.In, DataType = BindingInfo.Types.DataType.String });
        metadata.RawBindings.Add(
            $$"""{"name":"{{ParameterName}}","direction":"In","type":"queueTrigger","dataType":"String","queueName":"{{PipelineNames.WorkQueue}}","connection":"{{PipelineNames.StorageConnection}}"}""");
        return metadata;
    }
}
