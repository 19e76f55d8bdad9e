using System.Collections.Concurrent;
using System.Threading.Channels;
using CarClassifier.Bench.Isolated.Rpc;
using Grpc.Core;

namespace CarClassifier.Bench.Isolated;

/// <summary>
/// The host's side of one worker's event stream: the start-up handshake, the function loads, then invocations.
/// The message sequence follows the Functions host's GrpcWorkerChannel (Azure/azure-functions-host,
/// src/WebJobs.Script.Grpc/Channel/GrpcWorkerChannel.cs): the worker opens the stream with StartStream; the host sends
/// WorkerInitRequest (host version, app directory); on a successful WorkerInitResponse, with worker indexing (the app's
/// worker.config.json says <c>"workerIndexing": "true"</c>), it sends FunctionsMetadataRequest and loads the functions the
/// worker reports: one FunctionLoadRequestCollection when the worker advertises <c>SupportsLoadResponseCollection</c>,
/// else one FunctionLoadRequest each, the worker's own metadata echoed back with a function id. Invocations are
/// InvocationRequest / InvocationResponse pairs matched by invocation id; the worker's RpcLog messages are counted and
/// dropped (the real host would forward them to its loggers, on its own CPU).
/// </summary>
internal sealed class WorkerChannel
{
    /// <summary>The host version the stand-in reports (the 4.x host line the worker 2.x targets).</summary>
    public const string HostVersion = "4.1040.0.0";

    private readonly Channel<StreamingMessage> _outgoing = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<InvocationResponse>> _pending = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<IReadOnlyDictionary<string, string>> _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, string> _functionIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _awaitingLoad = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _warnings = new();
    private readonly string _workerId;
    private readonly string _appDirectory;
    private readonly IReadOnlyList<RpcFunctionMetadata> _benchFunctions;
    private bool _collections;
    private long _logs;

    /// <param name="benchFunctions">
    /// Functions loaded beside the ones the worker indexed (the real host loads only those): the bench's no-op.
    /// </param>
    public WorkerChannel(string workerId, string appDirectory, params IReadOnlyList<RpcFunctionMetadata> benchFunctions)
    {
        _workerId = workerId;
        _appDirectory = appDirectory;
        _benchFunctions = benchFunctions;
    }

    /// <summary>Function name -> function id, once every function the worker reported has loaded.</summary>
    public Task<IReadOnlyDictionary<string, string>> Loaded => _loaded.Task;

    /// <summary>RpcLog messages the worker has sent (its ILogger output, which the isolated worker ships to the host).</summary>
    public long Logs => Interlocked.Read(ref _logs);

    /// <summary>The worker's Warning-or-worse log lines, for the report when something fails (bounded).</summary>
    public IEnumerable<string> Warnings => _warnings;

    /// <summary>Sends one invocation and completes with the worker's response.</summary>
    public Task<InvocationResponse> InvokeAsync(InvocationRequest request)
    {
        var done = new TaskCompletionSource<InvocationResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(request.InvocationId, done)) throw new InvalidOperationException($"Invocation id {request.InvocationId} is already in flight.");
        if (!_outgoing.Writer.TryWrite(new StreamingMessage { InvocationRequest = request }))
        {
            _pending.TryRemove(request.InvocationId, out _);
            throw new InvalidOperationException("The worker's event stream has closed.");
        }

        return done.Task;
    }

    /// <summary>Serves the worker's EventStream call until the worker goes away or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> fromWorker, IServerStreamWriter<StreamingMessage> toWorker, CancellationToken cancellationToken)
    {
        try
        {
            if (!await fromWorker.MoveNext(cancellationToken).ConfigureAwait(false) || fromWorker.Current.ContentCase != StreamingMessage.ContentOneofCase.StartStream)
            {
                throw new InvalidOperationException("The worker did not open its event stream with StartStream.");
            }

            if (fromWorker.Current.StartStream.WorkerId != _workerId)
            {
                throw new InvalidOperationException($"StartStream from worker '{fromWorker.Current.StartStream.WorkerId}', expected '{_workerId}' (the --functions-worker-id it was given).");
            }

            var writer = WriteAllAsync(toWorker, cancellationToken);
            Send(new StreamingMessage
            {
                RequestId = Guid.NewGuid().ToString(),
                WorkerInitRequest = new WorkerInitRequest
                {
                    HostVersion = HostVersion,
                    FunctionAppDirectory = _appDirectory,
                    WorkerDirectory = _appDirectory,
                },
            });

            while (await fromWorker.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                Handle(fromWorker.Current);
            }

            _outgoing.Writer.TryComplete();
            await writer.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or Grpc.Core.RpcException or OperationCanceledException)
        {
            Fail(ex);
            if (ex is not OperationCanceledException) throw;
        }
        finally
        {
            Fail(new InvalidOperationException("The worker's event stream ended."));
        }
    }

    private void Handle(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                if (_pending.TryRemove(message.InvocationResponse.InvocationId, out var done)) done.TrySetResult(message.InvocationResponse);
                break;
            case StreamingMessage.ContentOneofCase.RpcLog:
                Interlocked.Increment(ref _logs);
                if (message.RpcLog.Level >= RpcLog.Types.Level.Warning && _warnings.Count < 20)
                {
                    _warnings.Enqueue($"{message.RpcLog.Level} {message.RpcLog.Category}: {message.RpcLog.Message} {message.RpcLog.Exception?.Message}");
                }

                break;
            case StreamingMessage.ContentOneofCase.WorkerInitResponse:
                var init = message.WorkerInitResponse;
                Check(init.Result, "WorkerInitResponse");
                // The host checks the capability for presence, not for "true" (GrpcWorkerChannel, SendFunctionLoadRequests).
                _collections = init.Capabilities.TryGetValue("SupportsLoadResponseCollection", out var value) && !string.IsNullOrEmpty(value);
                Send(new StreamingMessage
                {
                    RequestId = Guid.NewGuid().ToString(),
                    FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = _appDirectory },
                });
                break;
            case StreamingMessage.ContentOneofCase.FunctionMetadataResponse:
                LoadFunctions(message.FunctionMetadataResponse);
                break;
            case StreamingMessage.ContentOneofCase.FunctionLoadResponse:
                OnLoaded(message.FunctionLoadResponse);
                break;
            case StreamingMessage.ContentOneofCase.FunctionLoadResponseCollection:
                foreach (var response in message.FunctionLoadResponseCollection.FunctionLoadResponses) OnLoaded(response);
                break;
            default:
                // Anything else the worker may send (status, reload responses) needs no answer here.
                break;
        }
    }

    private void LoadFunctions(FunctionMetadataResponse response)
    {
        Check(response.Result, "FunctionMetadataResponse");
        if (response.UseDefaultMetadataIndexing)
        {
            throw new InvalidOperationException("The worker asked for host indexing (use_default_metadata_indexing); the stand-in host only does worker indexing.");
        }

        var requests = new List<FunctionLoadRequest>();
        foreach (var metadata in response.FunctionMetadataResults.Concat(_benchFunctions))
        {
            // The host keeps the worker's function id when it sends one (worker indexing), else makes one up.
            if (string.IsNullOrEmpty(metadata.FunctionId)) metadata.FunctionId = Guid.NewGuid().ToString();
            _functionIds[metadata.Name] = metadata.FunctionId;
            _awaitingLoad.Add(metadata.FunctionId);
            requests.Add(new FunctionLoadRequest { FunctionId = metadata.FunctionId, Metadata = metadata });
        }

        if (requests.Count == 0) throw new InvalidOperationException("The worker reported no functions.");
        if (_collections)
        {
            var collection = new FunctionLoadRequestCollection();
            collection.FunctionLoadRequests.AddRange(requests);
            Send(new StreamingMessage { RequestId = Guid.NewGuid().ToString(), FunctionLoadRequestCollection = collection });
        }
        else
        {
            foreach (var request in requests) Send(new StreamingMessage { RequestId = Guid.NewGuid().ToString(), FunctionLoadRequest = request });
        }
    }

    private void OnLoaded(FunctionLoadResponse response)
    {
        Check(response.Result, $"FunctionLoadResponse for {response.FunctionId}");
        _awaitingLoad.Remove(response.FunctionId);
        if (_awaitingLoad.Count == 0) _loaded.TrySetResult(new Dictionary<string, string>(_functionIds, StringComparer.Ordinal));
    }

    private static void Check(StatusResult? result, string what)
    {
        if (result is null || result.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"{what}: {result?.Status.ToString() ?? "no result"} {result?.Exception?.Message}");
        }
    }

    private void Send(StreamingMessage message)
    {
        if (!_outgoing.Writer.TryWrite(message)) throw new InvalidOperationException("The worker's event stream has closed.");
    }

    private async Task WriteAllAsync(IServerStreamWriter<StreamingMessage> toWorker, CancellationToken cancellationToken)
    {
        // One writer: gRPC allows a single pending write per stream.
        await foreach (var message in _outgoing.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await toWorker.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Fail(Exception ex)
    {
        _loaded.TrySetException(ex);
        _outgoing.Writer.TryComplete();
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var done)) done.TrySetException(ex);
        }
    }
}
