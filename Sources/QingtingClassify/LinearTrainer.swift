import QingtingText

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
/// - `softmax` (sentiment): one label per example; validation score is accuracy.
/// - `oneVsRest` (intents): any number of labels per example, an independent logistic loss per
///   label; validation score is micro-F1 at 0.5, and each label's decision threshold is then the
///   one that gives it the best F1 on the validation slice (stored in the model).
public struct LinearTrainer {
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
    }

    public let configuration: Configuration
    public init(configuration: Configuration = .init()) { self.configuration = configuration }

    /// Trains on single-label examples (label index, features).
    public func train(_ examples: [(label: Int, features: Featurizer.Features)], labels: [String],
                      features: FeatureExtractor.Configuration,
                      progress: (Int, Double) -> Void = { _, _ in }) -> (LinearModel, Report) {
        train(examples.map { (labels: [$0.label], features: $0.features) }, labels: labels, features: features, progress: progress)
    }

    /// Trains on examples with label sets.
    /// - Parameter validation: a held-out set to choose the epoch and the thresholds on, instead
    ///   of a slice of `examples` (`validationFraction` is then ignored). Use one that differs from
    ///   the training examples the way new posts will (other phrasing, not only other nouns).
    public func train(_ examples: [Example], validation: [Example]? = nil, labels: [String],
                      features: FeatureExtractor.Configuration,
                      progress: (Int, Double) -> Void = { _, _ in }) -> (LinearModel, Report) {
        var sumW: [Float] = [], sumBias: [Float] = [], sumThresholds: [Float] = []
        var report: Report?
        for member in 0..<max(1, configuration.ensemble) {
            let result = trainMember(examples, validation: validation, labels: labels, features: features,
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
                                bias: sumBias.map { $0 / k }, thresholds: sumThresholds.map { $0 / k })
        return (model, report!)
    }

    private func trainMember(_ given: [Example], validation heldOut: [Example]?, labels: [String],
                             features: FeatureExtractor.Configuration,
                             seed: UInt64, progress: (Int, Double) -> Void)
        -> (w: [Float], bias: [Float], thresholds: [Float], report: Report) {
        let L = labels.count
        let buckets = 1 << features.bucketBits
        let mask = UInt32(buckets - 1)  // features may be hashed into more buckets than the model has
        let softmax = configuration.kind == .softmax
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
        var history: [Double] = []
        let lr = configuration.learningRate, l2 = configuration.l2
        var logits = [Float](repeating: 0, count: L)

        func forward(_ f: Featurizer.Features, _ w: UnsafeMutableBufferPointer<Float>, _ bias: [Float]) -> [Float] {
            for j in 0..<L { logits[j] = bias[j] }
            for (j, offset) in zip(0..<L, f.offsets) { logits[j] += offset }
            for b in f.ngrams { let row = Int(b & mask) * L; for j in 0..<L { logits[j] += w[row + j] } }
            for (b, v) in zip(f.cueBuckets, f.cueValues) { let row = Int(b & mask) * L; for j in 0..<L { logits[j] += v * w[row + j] } }
            return softmax ? LinearModel.softmax(logits) : logits.map { 1 / (1 + exp(-$0)) }
        }

        func validationProbabilities(_ w: inout [Float], _ bias: [Float]) -> [[Float]] {
            w.withUnsafeMutableBufferPointer { w in validation.map { forward(examples[$0].features, w, bias) } }
        }

        for epoch in 1...configuration.epochs {
            rng.shuffle(&train)
            w.withUnsafeMutableBufferPointer { w in
              g.withUnsafeMutableBufferPointer { g in
                u.withUnsafeMutableBufferPointer { u in
                    for index in train {
                        let (targets, f) = examples[index]
                        var grad = forward(f, w, bias)
                        for label in targets { grad[label] -= 1 }
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
                : softmax ? Self.accuracy(p, targets) : Self.microF1(p, targets, thresholds: [Float](repeating: 0.5, count: L))
            history.append(score)
            progress(epoch, score)
            if score > best.score || validation.isEmpty { best = (score, epoch, averaged, averagedBias) }
        }
        var thresholds = [Float](repeating: softmax ? 0 : 0.5, count: L)
        if !softmax, !validation.isEmpty {
            let p = validationProbabilities(&best.w, best.bias)
            let targets = validation.map { examples[$0].labels }
            for j in 0..<L { thresholds[j] = Self.bestThreshold(label: j, p, targets) }
        }
        return (best.w, best.bias, thresholds, Report(trainExamples: train.count, validationExamples: validation.count,
                                                      bestEpoch: best.epoch, validationAccuracy: history))
    }

    static func accuracy(_ p: [[Float]], _ targets: [[Int]]) -> Double {
        let correct = zip(p, targets).filter { p, t in p.indices.max { p[$0] < p[$1] } == t.first }.count
        return Double(correct) / Double(max(1, p.count))
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
