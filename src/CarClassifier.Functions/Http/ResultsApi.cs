using System.Net;
using System.Text.Json;
using CarClassifier.Core;
using CarClassifier.Core.Results;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace CarClassifier.Functions.Http;

/// <summary>
/// Read-only HTTP API over the results table (function keys required). Thin: paging and the vehicle view live in
/// Core's <see cref="ResultQuery"/> (shared with the CLI), query-string rules in <see cref="ResultApiRequest"/>.
/// </summary>
public sealed class ResultsApi(ResultQuery query)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>GET /api/results/{blobName}: the row of one blob in the images container; 404 when it has none (yet).</summary>
    [Function(PipelineNames.GetResultFunction)]
    public async Task<HttpResponseData> GetAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "results/{*blobPath}")] HttpRequestData request,
        string blobPath,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(blobPath)) return await WriteAsync(request, HttpStatusCode.BadRequest, new { error = "Name a blob: /api/results/{blobName}." }, cancellationToken).ConfigureAwait(false);
        var view = await query.GetAsync(blobPath, cancellationToken).ConfigureAwait(false);
        return view is null
            ? await WriteAsync(request, HttpStatusCode.NotFound, new { error = $"No result for '{blobPath}' (not uploaded, or not classified yet)." }, cancellationToken).ConfigureAwait(false)
            : await WriteAsync(request, HttpStatusCode.OK, view, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GET /api/results?prefix=&amp;pageSize=&amp;continuation=: a page of rows whose blob name starts with prefix.</summary>
    [Function(PipelineNames.ListResultsFunction)]
    public async Task<HttpResponseData> ListAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "results")] HttpRequestData request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!ResultApiRequest.TryParse(request.Query["prefix"], request.Query["pageSize"], request.Query["continuation"], out var parsed, out var error))
        {
            return await WriteAsync(request, HttpStatusCode.BadRequest, new { error }, cancellationToken).ConfigureAwait(false);
        }

        var page = await query.GetPageAsync(parsed.Prefix, parsed.PageSize, parsed.ContinuationToken, cancellationToken).ConfigureAwait(false);
        return await WriteAsync(request, HttpStatusCode.OK, new ResultListResponse(page.Items, ResultApiRequest.EncodeToken(page.ContinuationToken)), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<HttpResponseData> WriteAsync<T>(HttpRequestData request, HttpStatusCode status, T body, CancellationToken cancellationToken)
    {
        var response = request.CreateResponse(status);
        response.Headers.Add("Content-Type", "application/json; charset=utf-8");
        await response.WriteStringAsync(JsonSerializer.Serialize(body, Json), cancellationToken: cancellationToken).ConfigureAwait(false);
        return response;
    }
}
