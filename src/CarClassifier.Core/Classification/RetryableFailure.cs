using Azure;

namespace CarClassifier.Core.Classification;

/// <summary>Words for the failures the pipeline retries (storage, model), for the Poisoned row when retries run out.</summary>
internal static class RetryableFailure
{
    public static string Describe(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        string first = ex.Message.Split('\n')[0].Trim();
        return ex switch
        {
            RequestFailedException storage => $"a storage request failed (HTTP {storage.Status}{(string.IsNullOrEmpty(storage.ErrorCode) ? "" : ", " + storage.ErrorCode)}): {first}",
            HttpRequestException or IOException or TimeoutException => $"storage could not be reached: {first}",
            InvalidDataException => $"the queue message is not a classify request: {first}",
            _ when ex.GetType().Namespace?.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal) == true => $"the model failed to run: {first}",
            _ => first,
        };
    }
}
