namespace CarClassifier.Training.Head;

/// <summary>Seeded, stratified splits: every class keeps its share in each part, and the same seed gives the same split.</summary>
public static class StratifiedSplit
{
    /// <summary>
    /// Holds out about <paramref name="fraction"/> of each class for validation: at least one image of every class
    /// with two or more, and never the last training image of a class.
    /// </summary>
    public static (int[] Train, int[] Validation) Holdout(IReadOnlyList<int> labels, double fraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var random = new Random(seed);
        var train = new List<int>();
        var validation = new List<int>();
        foreach (var group in labels.Select((label, index) => (label, index)).GroupBy(p => p.label).OrderBy(g => g.Key))
        {
            var indices = group.Select(p => p.index).ToArray();
            random.Shuffle(indices);
            var held = indices.Length < 2 ? 0 : Math.Clamp((int)Math.Round(indices.Length * fraction), 1, indices.Length - 1);
            validation.AddRange(indices[..held]);
            train.AddRange(indices[held..]);
        }

        return ([.. train.Order()], [.. validation.Order()]);
    }

    /// <summary>Fold number (0..folds-1) for each row, dealt round-robin within each shuffled class.</summary>
    public static int[] Folds(IReadOnlyList<int> labels, int folds, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        var random = new Random(seed);
        var fold = new int[labels.Count];
        var next = 0;
        foreach (var group in labels.Select((label, index) => (label, index)).GroupBy(p => p.label).OrderBy(g => g.Key))
        {
            var indices = group.Select(p => p.index).ToArray();
            random.Shuffle(indices);

            // Carry the dealing position across classes so small classes do not all start at fold 0.
            foreach (var index in indices) fold[index] = next++ % folds;
        }

        return fold;
    }
}
