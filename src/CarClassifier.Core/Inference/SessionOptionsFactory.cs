using CarClassifier.Core.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace CarClassifier.Core.Inference;

/// <summary>Builds the production ONNX Runtime session settings in one place, shared by the hosts and the benchmarks.</summary>
public static class SessionOptionsFactory
{
    public static SessionOptions Create(ClassifierOptions options, ILogger logger, out ExecutionProvider provider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);

        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            EnableCpuMemArena = true,
            EnableMemoryPattern = true,
        };
        if (options.IntraOpThreads > 0)
        {
            sessionOptions.IntraOpNumThreads = options.IntraOpThreads;
        }

        // Denormal floats make CPU kernels crawl; flushing them to zero costs no accuracy that matters for top-5.
        sessionOptions.AddSessionConfigEntry("session.set_denormal_as_zero", "1");
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", options.IntraOpSpinning ? "1" : "0");

        provider = ExecutionProvider.Cpu;
        if (options.ExecutionProvider == ExecutionProvider.Cuda)
        {
            try
            {
                using var cuda = new OrtCUDAProviderOptions();
                ApplyCudaOptions(cuda, options, logger);
                sessionOptions.AppendExecutionProvider_CUDA(cuda);
                provider = ExecutionProvider.Cuda;
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                if (options.RequireCuda)
                {
                    // A GPU deployment that quietly runs on the CPU is billed for the GPU and is ~50x slower: stop instead.
                    sessionOptions.Dispose();
                    throw new InvalidOperationException(
                        $"CUDA execution provider unavailable ({ex.Message}; {CudaDriverReport.Probe()}) and {PipelineNames.OptionsSection}:{nameof(ClassifierOptions.RequireCuda)} is true. " +
                        "Check the GPU driver (CUDA 13 needs r580 or newer), the CUDA/cuDNN libraries in the image and the -p:UseGpu=true build; " +
                        $"or set {PipelineNames.OptionsSection}:{nameof(ClassifierOptions.RequireCuda)}=false to run on the CPU.",
                        ex);
                }

                // One clear line, then carry on: a CPU result is better than a host that poisons every message.
                logger.LogWarning("CUDA execution provider unavailable ({Reason}); falling back to CPU.", ex.Message);
            }
        }

        return sessionOptions;
    }

    private static void ApplyCudaOptions(OrtCUDAProviderOptions cuda, ClassifierOptions options, ILogger logger)
    {
        // First without prefer_nhwc: this is where a missing CUDA library shows up, and it must reach the caller as
        // "provider unavailable", not be mistaken for a refused key.
        cuda.UpdateOptions(CudaSettings(options, preferNhwc: false));
        if (!options.CudaPreferNhwc)
        {
            return;
        }

        try
        {
            cuda.UpdateOptions(CudaSettings(options, preferNhwc: true));
        }
        catch (OnnxRuntimeException ex)
        {
            // A build without NHWC kernels rejects the key; the provider itself is still fine in NCHW.
            logger.LogWarning("CUDA provider refused prefer_nhwc ({Reason}); using NCHW convolutions.", ex.Message);
        }
    }

    private static Dictionary<string, string> CudaSettings(ClassifierOptions options, bool preferNhwc)
    {
        var settings = new Dictionary<string, string>
        {
            ["device_id"] = options.CudaDeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["cudnn_conv_algo_search"] = options.CudaConvAlgoSearch,
            ["do_copy_in_default_stream"] = "1",
            // The default cuDNN workspace cap can hide the fastest (workspace-hungry) convolution algorithms.
            ["cudnn_conv_use_max_workspace"] = "1",
        };
        if (preferNhwc) settings["prefer_nhwc"] = "1";
        return settings;
    }
}
