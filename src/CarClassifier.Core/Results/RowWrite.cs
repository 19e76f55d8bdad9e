namespace CarClassifier.Core.Results;

/// <summary>What <see cref="ResultStore.WriteIfCurrentAsync"/> did with a row.</summary>
public enum RowWrite
{
    /// <summary>The row is in the table.</summary>
    Written,

    /// <summary>
    /// Not written: the row describes a blob version that is no longer the blob's current one (it was overwritten or
    /// deleted since). The newer version's own message writes its row.
    /// </summary>
    Superseded,

    /// <summary>Not written: the caller's <c>keepExisting</c> chose the row already there.</summary>
    KeptExisting,
}
