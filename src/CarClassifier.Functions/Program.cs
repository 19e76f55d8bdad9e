using CarClassifier.Core.Configuration;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.Services.AddCarClassifier(builder.Configuration);
builder.Build().Run();
