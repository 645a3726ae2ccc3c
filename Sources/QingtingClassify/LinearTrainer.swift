import QingtingCore
public import QingtingText

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Trains a linear model over hashed features with AdaGrad and L2, averaging the weights over
/// all steps (averaged SGD generalizes better on small corpora), and keeping the epoch whose
/// averaged weights score best on a validation slice. Deterministic for a seed: same corpus and
/// seed, same model bytes.
///
/// - `softmax`: one label per example; validation score is accuracy.
/// - `gated` (sentiment): one label per example (negative, neutral, positive); the neutral gate
///   learns from every example, the polarity column only from negative and positive ones (a
///   logistic loss each); validation score is three-class accuracy.
/// - `oneVsRest` (intents): any number of labels per example, an independent logistic loss per
///   label; validation score is micro-F1 at 0.5, and each label's decision threshold is then the
///   one that gives it the best F1 on the validation slice (stored in the model).
public struct LinearTrainer: Sendable {
    public struct Configuration: Sendable {
        public var kind = LinearModel.Kind.softmax
        public var epochs = 10
        public var learningRate: Float = 0.01
        public var l2: Float = 1e-6
        public var validationFraction = 0.1
        public var seed: UInt64 = 42
        /// Members trained with seeds seed, seed+1, … (each with its own validation slice) whose
        /// weights are averaged into one model: averaging logits of linear models is a linear model.
        public var ensemble = 1
        public init() {}

        /// The recipe of the shipped sentiment model: a gated model (a neutral gate and a
        /// polarity), 10 epochs, AdaGrad rate 0.02, 5 members averaged, a tenth held out for the epoch.
        public static var sentiment: Configuration {
            var c = Configuration()
            c.kind = .gated
            c.learningRate = 0.02
            c.ensemble = 5
            return c
        }

        /// The recipe of the shipped intent model: one-vs-rest, 12 epochs, rate 0.05, 3 members,
        /// 15% held out for the epoch and the per-label thresholds when no validation file is given.
        public static var intent: Configuration {
            var c = Configuration()
            c.kind = .oneVsRest
            c.epochs = 12
            c.learningRate = 0.05
            c.validationFraction = 0.15
            c.ensemble = 3
            return c
        }

        /// The recipe of the shipped category model: softmax over the categories and `-`,
        /// 10 epochs, rate 0.05, 3 members, a tenth held out for the epoch.
        public static var category: Configuration {
            var c = Configuration()
            c.kind = .softmax
            c.learningRate = 0.05
            c.ensemble = 3
            return c
        }
    }

    /// One training example: the indices of its labels (exactly one for softmax; none or several
    /// for one-vs-rest) and its features.
    public typealias Example = (labels: [Int], features: Featurizer.Features)

    public struct Report: Sendable {
        public var trainExamples: Int
        public var validationExamples: Int
        public var bestEpoch: Int
        /// Validation score after each epoch (accuracy, or micro-F1 for one-vs-rest).
        public var validationAccuracy: [Double]
        /// Gated models: the epoch kept for the gate and for the polarity column, each chosen by
        /// its own validation accuracy (the columns share no weights, so each can stop on its own).
        public var columnEpochs: [Int] = []
    }

    public let configuration: Configuration
    public init(configuration: Configuration = .init()) { self.configuration = configuration }

    /// Trains on single-label examples (label index, features), each weighted by `weights` (the
    /// gradient's multiplier, default 1: a corpus can count more than its size).
    public func train(_ examples: [(label: Int, features: Featurizer.Features)], weights: [Float]? = nil, labels: [String],
                      features: FeatureExtractor.Configuration,
                      progress: (Int, Double) -> Void = { _, _ in }) -> (LinearModel, Report) {
        train(examples.map { (labels: [$0.label], features: $0.features) }, weights: weights, labels: labels, features: features,
              progress: progress)
    }

    /// Trains on examples with label sets.
    /// - Parameter validation: a held-out set to choose the epoch and the thresholds on, instead
    ///   of a slice of `examples` (`validationFraction` is then ignored). Use one that differs from
    ///   the training examples the way new posts will (other phrasing, not only other nouns).
    /// - Parameter weights: one per example, multiplying its gradient; nil for all 1.
    /// - Parameter thresholds: the decision thresholds to store (from `heldOutGroupThresholds`),
    ///   instead of the ones chosen on the validation set.
    public func train(_ examples: [Example], weights: [Float]? = nil, validation: [Example]? = nil, labels: [String],
                      features: FeatureExtractor.Configuration, thresholds: [Float]? = nil,
                      progress: (Int, Double) -> Void = { _, _ in }) -> (LinearModel, Report) {
        precondition(weights == nil || weights!.count == examples.count, "one weight per example")
        var sumW: [Float] = [], sumBias: [Float] = [], sumThresholds: [Float] = []
        var report: Report?
        for member in 0..<max(1, configuration.ensemble) {
            let result = trainMember(examples, weights: weights, validation: validation, labels: labels, features: features,
                                     seed: configuration.seed &+ UInt64(member), progress: progress)
            if sumW.isEmpty {
                (sumW, sumBias, sumThresholds) = (result.w, result.bias, result.thresholds)
            } else {
                for i in result.w.indices { sumW[i] += result.w[i] }
                for j in result.bias.indices { sumBias[j] += result.bias[j]; sumThresholds[j] += result.thresholds[j] }
            }
            report = report ?? result.report
        }
        let k = Float(max(1, configuration.ensemble))
        let model = LinearModel(kind: configuration.kind, labels: labels, features: features, weights: sumW.map { $0 / k },
                                bias: sumBias.map { $0 / k }, thresholds: thresholds ?? sumThresholds.map { $0 / k })
        return (model, report!)
    }

    /// Each label's decision threshold chosen on held-out groups (one writer's batch, one corpus
    /// file): for each group, a model trained on the other groups scores that group's examples,
    /// and each label gets the threshold with the best F1 over all those held-out scores.
    ///
    /// Posts in a voice the model never read are scored less confidently than a random slice of
    /// the voices it trained on, so thresholds chosen on a slice come out too strict for new
    /// writers (high precision, low recall). Holding out whole groups measures the confidence a
    /// new voice gets. Groups train concurrently; the result does not depend on their schedule.
    /// - Precondition: one group per example, at least two groups.
    public func heldOutGroupThresholds(_ examples: [Example], groups: [Int], labels: [String],
                                       features: FeatureExtractor.Configuration,
                                       done: @Sendable (Int) -> Void = { _ in }) -> [Float] {
        precondition(groups.count == examples.count, "one group per example")
        let count = (groups.max() ?? 0) + 1
        precondition(count >= 2, "at least two groups")
        let scored = ConcurrentSlots<[(index: Int, p: [Float])]>.map(count) { k in
            let train = examples.indices.filter { groups[$0] != k }.map { examples[$0] }
            let (model, _) = self.train(train, labels: labels, features: features)
            done(k)
            return examples.indices.filter { groups[$0] == k }.map { (index: $0, p: model.probabilities(examples[$0].features)) }
        }.flatMap { $0 }.sorted { $0.index < $1.index }
        let p = scored.map(\.p), targets = scored.map { examples[$0.index].labels }
        return (0..<labels.count).map { Self.bestThreshold(label: $0, p, targets) }
    }

    private func trainMember(_ given: [Example], weights: [Float]?, validation heldOut: [Example]?, labels: [String],
                             features: FeatureExtractor.Configuration,
                             seed: UInt64, progress: (Int, Double) -> Void)
        -> (w: [Float], bias: [Float], thresholds: [Float], report: Report) {
        let kind = configuration.kind
        let L = kind.columns(labels: labels.count)  // score columns
        let buckets = 1 << features.bucketBits
        let mask = UInt32(buckets - 1)  // features may be hashed into more buckets than the model has
        let multiLabel = kind == .oneVsRest
        var rng = SplitMix64(seed: seed)
        // Held-out examples go after the training ones, so that indices below `given.count` train.
        let examples = given + (heldOut ?? [])
        var order = Array(given.indices)
        rng.shuffle(&order)
        if heldOut != nil { order = Array(given.count..<examples.count) + order }
        let validationCount = heldOut?.count ?? Int(Double(given.count) * configuration.validationFraction)
        let validation = Array(order.prefix(validationCount))
        var train = Array(order.dropFirst(validationCount))

        var w = [Float](repeating: 0, count: buckets * L)
        var g = [Float](repeating: 0, count: buckets * L)
        // Lazy averaging: avg = w − u / t, where u accumulates t × every update.
        var u = [Float](repeating: 0, count: buckets * L)
        var bias = [Float](repeating: 0, count: L), gBias = [Float](repeating: 0, count: L)
        var uBias = [Float](repeating: 0, count: L)
        var step: Float = 1
        var best = (score: -1.0, epoch: 0, w: w, bias: bias)
        var columnBest = [(score: -1.0, epoch: 0), (score: -1.0, epoch: 0)]
        var history: [Double] = []
        let lr = configuration.learningRate, l2 = configuration.l2
        var logits = [Float](repeating: 0, count: L)

        func forward(_ f: Featurizer.Features, _ w: UnsafeMutableBufferPointer<Float>, _ bias: [Float]) -> [Float] {
            for j in 0..<L { logits[j] = bias[j] }
            for (j, offset) in zip(0..<L, f.offsets) { logits[j] += offset }
            for b in f.ngrams { let row = Int(b & mask) * L; for j in 0..<L { logits[j] += w[row + j] } }
            for (b, v) in zip(f.cueBuckets, f.cueValues) { let row = Int(b & mask) * L; for j in 0..<L { logits[j] += v * w[row + j] } }
            return logits
        }

        /// The loss's gradient with respect to each score column.
        func gradient(_ scores: [Float], _ targets: [Int]) -> [Float] {
            switch kind {
            case .softmax:
                var grad = LinearModel.softmax(scores)
                grad[targets[0]] -= 1
                return grad
            case .oneVsRest:
                var grad = scores.map(LinearModel.sigmoid)
                for label in targets { grad[label] -= 1 }
                return grad
            case .gated:
                // Labels are negative 0, neutral 1, positive 2; a neutral text says nothing of polarity.
                let neutral = targets[0] == 1
                return [LinearModel.sigmoid(scores[0]) - (neutral ? 1 : 0),
                        neutral ? 0 : LinearModel.sigmoid(scores[1]) - (targets[0] == 2 ? 1 : 0)]
            }
        }

        func validationProbabilities(_ w: inout [Float], _ bias: [Float]) -> [[Float]] {
            w.withUnsafeMutableBufferPointer { w in
                validation.map { LinearModel.probabilities(forward(examples[$0].features, w, bias), kind: kind) }
            }
        }

        for epoch in 1...configuration.epochs {
            rng.shuffle(&train)
            w.withUnsafeMutableBufferPointer { w in
              g.withUnsafeMutableBufferPointer { g in
                u.withUnsafeMutableBufferPointer { u in
                    for index in train {
                        let (targets, f) = examples[index]
                        var grad = gradient(forward(f, w, bias), targets)
                        if let weights { for j in 0..<L { grad[j] *= weights[index] } }  // training indices are < given.count
                        func update(_ row: Int, _ value: Float) {
                            for j in 0..<L {
                                let k = row + j
                                let gk = grad[j] * value + l2 * w[k]
                                g[k] += gk * gk
                                let delta = lr * gk / (g[k].squareRoot() + 1e-6)
                                w[k] -= delta
                                u[k] -= step * delta
                            }
                        }
                        for b in f.ngrams { update(Int(b & mask) * L, 1) }
                        for (b, v) in zip(f.cueBuckets, f.cueValues) { update(Int(b & mask) * L, v) }
                        for j in 0..<L {
                            gBias[j] += grad[j] * grad[j]
                            let delta = lr * grad[j] / (gBias[j].squareRoot() + 1e-6)
                            bias[j] -= delta
                            uBias[j] -= step * delta
                        }
                        step += 1
                    }
                }
              }
            }
            var averaged = zip(w, u).map { $0 - $1 / step }
            let averagedBias = zip(bias, uBias).map { $0 - $1 / step }
            let p = validationProbabilities(&averaged, averagedBias)
            let targets = validation.map { examples[$0].labels }
            let score = validation.isEmpty ? 1
                : multiLabel ? Self.microF1(p, targets, thresholds: [Float](repeating: 0.5, count: L)) : Self.accuracy(p, targets)
            history.append(score)
            progress(epoch, score)
            if kind == .gated {
                // Each column keeps its own best epoch: the gate by neutral-or-not accuracy, the
                // polarity by accuracy on the opinionated examples.
                let scores = Self.gatedColumnAccuracy(p, targets)
                for c in 0..<2 where scores[c] > columnBest[c].score || validation.isEmpty {
                    columnBest[c] = (scores[c], epoch)
                    for k in stride(from: c, to: averaged.count, by: L) { best.w[k] = averaged[k] }
                    best.bias[c] = averagedBias[c]
                }
                if score > best.score || validation.isEmpty { (best.score, best.epoch) = (score, epoch) }
            } else if score > best.score || validation.isEmpty {
                best = (score, epoch, averaged, averagedBias)
            }
        }
        var thresholds = [Float](repeating: multiLabel ? 0.5 : 0, count: L)
        if multiLabel, !validation.isEmpty {
            let p = validationProbabilities(&best.w, best.bias)
            let targets = validation.map { examples[$0].labels }
            for j in 0..<L { thresholds[j] = Self.bestThreshold(label: j, p, targets) }
        }
        return (best.w, best.bias, thresholds, Report(trainExamples: train.count, validationExamples: validation.count,
                                                      bestEpoch: best.epoch, validationAccuracy: history,
                                                      columnEpochs: kind == .gated ? columnBest.map(\.epoch) : []))
    }

    static func accuracy(_ p: [[Float]], _ targets: [[Int]]) -> Double {
        let correct = zip(p, targets).filter { p, t in LinearModel.mostProbable(p) == t.first }.count
        return Double(correct) / Double(max(1, p.count))
    }

    /// A gated model's two column accuracies from its three-class probabilities: neutral or not
    /// (P(neutral) ≥ 0.5), and positive or negative among the examples that are not neutral.
    static func gatedColumnAccuracy(_ p: [[Float]], _ targets: [[Int]]) -> [Double] {
        var gate = 0, polar = 0, polarRight = 0
        for (p, t) in zip(p, targets) {
            let neutral = t[0] == 1
            if (p[1] >= 0.5) == neutral { gate += 1 }
            if !neutral {
                polar += 1
                if (p[2] >= p[0]) == (t[0] == 2) { polarRight += 1 }
            }
        }
        return [Double(gate) / Double(max(1, p.count)), Double(polarRight) / Double(max(1, polar))]
    }

    static func microF1(_ p: [[Float]], _ targets: [[Int]], thresholds: [Float]) -> Double {
        var tp = 0, fp = 0, fn = 0
        for (p, t) in zip(p, targets) {
            for j in p.indices {
                let predicted = p[j] >= thresholds[j], gold = t.contains(j)
                if predicted && gold { tp += 1 } else if predicted { fp += 1 } else if gold { fn += 1 }
            }
        }
        return tp == 0 ? 0 : 2 * Double(tp) / Double(2 * tp + fp + fn)
    }

    /// The threshold in 0.05…0.95 (steps of 0.05) that gives label `j` its best F1 on the
    /// validation slice; of several equally good ones, the middle one (the least fitted to the
    /// slice). 0.5 when the slice has no example of the label.
    static func bestThreshold(label j: Int, _ p: [[Float]], _ targets: [[Int]]) -> Float {
        let gold = targets.map { $0.contains(j) }
        guard gold.contains(true) else { return 0.5 }
        let candidates = (1...19).map { Float($0) * 0.05 }
        let scores = candidates.map { t -> Int in
            var tp = 0, fp = 0, fn = 0
            for (p, g) in zip(p, gold) {
                let predicted = p[j] >= t
                if predicted && g { tp += 1 } else if predicted { fp += 1 } else if g { fn += 1 }
            }
            // F1 × 10^6 as an integer, so that ties are exact.
            return tp == 0 ? 0 : 2_000_000 * tp / (2 * tp + fp + fn)
        }
        let top = scores.max()!
        let best = scores.indices.filter { scores[$0] == top }
        return candidates[best[best.count / 2]]
    }
}
