import Dispatch
public import QingtingText
import QingtingCore

/// K-fold cross-validation of single-label training: every example is predicted by a model trained
/// without its fold. A change to the lexicon, the features or the trainer is then judged on every
/// training example instead of one held-out slice, whose noise (about ±0.3 points on 2,800 texts)
/// hides most such changes (README, "Cross-validation").
public enum CrossValidation {
    /// The fold (0..<`folds`) of each of `count` examples: a shuffle by `seed`, cut into parts whose
    /// sizes differ by at most one, so every corpus is spread over all folds whatever its order.
    public static func folds(count: Int, folds: Int, seed: UInt64) -> [Int] {
        precondition(folds >= 2, "at least two folds")
        var order = Array(0..<count)
        var rng = SplitMix64(seed: seed)
        rng.shuffle(&order)
        var fold = [Int](repeating: 0, count: count)
        for (position, index) in order.enumerated() { fold[index] = position * folds / max(1, count) }
        return fold
    }

    /// The predicted label index of each example, by the model trained on the other folds (with
    /// `trainer`'s configuration, each example keeping its weight). Folds train concurrently; the
    /// result does not depend on how they are scheduled.
    /// - Parameter done: called with each fold's index as its model finishes (from any thread).
    public static func predictions(trainer: LinearTrainer, examples: [(label: Int, features: Featurizer.Features)],
                                   weights: [Float]? = nil, labels: [String], features: FeatureExtractor.Configuration,
                                   fold: [Int], done: @Sendable (Int) -> Void = { _ in }) -> [Int] {
        precondition(fold.count == examples.count, "one fold per example")
        let folds = (fold.max() ?? 0) + 1
        let perFold = ConcurrentSlots<[(index: Int, label: Int)]>.map(folds) { k in
            let train = examples.indices.filter { fold[$0] != k }
            let (model, _) = trainer.train(train.map { examples[$0] }, weights: weights.map { w in train.map { w[$0] } },
                                           labels: labels, features: features)
            let predicted = examples.indices.filter { fold[$0] == k }.map { i in
                (index: i, label: LinearModel.mostProbable(model.probabilities(examples[i].features)))
            }
            done(k)
            return predicted
        }
        var result = [Int](repeating: 0, count: examples.count)
        for (i, label) in perFold.joined() { result[i] = label }
        return result
    }
}
