using Grpc.Core;

namespace Recommender.Hosting;

/// <summary>
/// A host's part of the error translation: its domain's exceptions and their status codes, with
/// the domain's message (which names the field at fault). Registered in DI; <see cref="DomainErrors"/>
/// applies every registered map after the rules all hosts share.
/// </summary>
public interface IExceptionStatusMap
{
    /// <summary>The status for <paramref name="exception"/>, or null when this map does not know it.</summary>
    Status? ToStatus(Exception exception);
}
