using System.Net;
using System.Net.Sockets;
using CarClassifier.Bench.Isolated.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CarClassifier.Bench.Isolated;

/// <summary>
/// The Functions host's gRPC endpoint, as a language worker sees it: a FunctionRpc service on loopback, cleartext
/// HTTP/2 (the host's own server is the same: Kestrel, HTTP/2 only, on 127.0.0.1 and a free port; see azure-functions-host
/// src/WebJobs.Script.Grpc/Server/AspNetCoreGrpcHostBuilder.cs), unlimited message size (the host passes
/// <c>--functions-grpc-max-message-length 2147483647</c>). It serves one worker through <see cref="WorkerChannel"/>.
/// </summary>
internal sealed class FunctionsHostStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FunctionsHostStandIn(WebApplication app, WorkerChannel channel, int port)
    {
        _app = app;
        Channel = channel;
        Port = port;
    }

    public WorkerChannel Channel { get; }

    public int Port { get; }

    public Uri Uri => new($"http://127.0.0.1:{Port}/");

    public static async Task<FunctionsHostStandIn> StartAsync(WorkerChannel channel, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton(channel);
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = null;
            o.MaxSendMessageSize = null;
        });
        var app = builder.Build();
        app.MapGrpcService<FunctionRpcService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return new FunctionsHostStandIn(app, channel, port);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The worker was killed mid-stream; nothing left to drain.
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>The generated service base, bound to the one worker channel.</summary>
    private sealed class FunctionRpcService(WorkerChannel channel) : FunctionRpc.FunctionRpcBase
    {
        public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context) =>
            channel.RunAsync(requestStream, responseStream, context.CancellationToken);
    }
}
