using System.Net.Http.Headers;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// Uploads with a raw REST PUT whose path is sent exactly as written (no System.Uri dot-segment resolution), signed by an
/// account SAS, so a test can create the names an SDK client never would: 'a/%2E%2E/b.jpg', 'a/../../../c.jpg', '/lead.jpg'.
/// </summary>
internal static class RawBlobUpload
{
    /// <param name="rawPath">The blob part of the URL path, already percent-encoded where wanted; sent verbatim.</param>
    public static async Task PutAsync(string connectionString, string container, string rawPath, byte[] content)
    {
        var service = new BlobServiceClient(connectionString);
        var sas = service.GenerateAccountSasUri(AccountSasPermissions.All, DateTimeOffset.UtcNow.AddHours(1), AccountSasResourceTypes.All).Query;
        var uri = new Uri(
            $"{service.Uri.AbsoluteUri.TrimEnd('/')}/{container}/{rawPath}{sas}",
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, uri) { Content = new ByteArrayContent(content) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Headers.Add("x-ms-blob-type", "BlockBlob");
        request.Headers.Add("x-ms-version", "2025-01-05");
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"PUT {rawPath}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
