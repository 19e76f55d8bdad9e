namespace CarClassifier.Training.Head;

/// <summary>Validation accuracy and mean log-loss of one L2 strength.</summary>
public sealed record LambdaScore(double Lambda, double Accuracy, double LogLoss);
