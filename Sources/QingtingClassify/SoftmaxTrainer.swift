import QingtingText

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Trains a softmax (multinomial logistic regression) model with AdaGrad and L2, averaging the
/// weights over all steps (averaged SGD generalizes better on small corpora), and keeping the
/// epoch whose averaged weights score best on a validation slice. Deterministic for a seed: same corpus and seed,
/// same model bytes.
public struct SoftmaxTrainer {
    public struct Configuration: Sendable {
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

    public struct Report: Sendable {
        public var trainExamples: Int
        public var validationExamples: Int
        public var bestEpoch: Int
        /// Validation accuracy after each epoch.
        public var validationAccuracy: [Double]
    }

    public let configuration: Configuration
    public init(configuration: Configuration = .init()) { self.configuration = configuration }

    /// Trains on featurized examples (label index, features).
    public func train(_ examples: [(label: Int, features: Featurizer.Features)], labels: [String],
                      features: FeatureExtractor.Configuration,
                      progress: (Int, Double) -> Void = { _, _ in }) -> (LinearModel, Report) {
        var sumW: [Float] = [], sumBias: [Float] = []
        var report: Report?
        for member in 0..<max(1, configuration.ensemble) {
            let (w, bias, memberReport) = trainMember(examples, labels: labels, features: features,
                                                      seed: configuration.seed &+ UInt64(member), progress: progress)
            if sumW.isEmpty { sumW = w; sumBias = bias } else {
                for i in w.indices { sumW[i] += w[i] }
                for j in bias.indices { sumBias[j] += bias[j] }
            }
            report = report ?? memberReport
        }
        let k = Float(max(1, configuration.ensemble))
        let model = LinearModel(kind: .softmax, labels: labels, features: features, weights: sumW.map { $0 / k },
                                bias: sumBias.map { $0 / k }, thresholds: [Float](repeating: 0, count: labels.count))
        return (model, report!)
    }

    private func trainMember(_ examples: [(label: Int, features: Featurizer.Features)], labels: [String],
                             features: FeatureExtractor.Configuration, seed: UInt64,
                             progress: (Int, Double) -> Void) -> ([Float], [Float], Report) {
        let L = labels.count
        let buckets = 1 << features.bucketBits
        var rng = SplitMix64(seed: seed)
        var order = Array(examples.indices)
        rng.shuffle(&order)
        let validationCount = Int(Double(examples.count) * configuration.validationFraction)
        let validation = Array(order.prefix(validationCount))
        var train = Array(order.dropFirst(validationCount))

        var w = [Float](repeating: 0, count: buckets * L)
        var g = [Float](repeating: 0, count: buckets * L)
        // Lazy averaging: avg = w − u / t, where u accumulates t × every update.
        var u = [Float](repeating: 0, count: buckets * L)
        var bias = [Float](repeating: 0, count: L), gBias = [Float](repeating: 0, count: L)
        var uBias = [Float](repeating: 0, count: L)
        var step: Float = 1
        var best = (accuracy: -1.0, epoch: 0, w: w, bias: bias)
        var history: [Double] = []
        let lr = configuration.learningRate, l2 = configuration.l2
        var logits = [Float](repeating: 0, count: L)

        func forward(_ f: Featurizer.Features, _ w: UnsafeMutableBufferPointer<Float>, _ bias: [Float]) -> [Float] {
            for j in 0..<L { logits[j] = bias[j] }
            for b in f.ngrams { let row = Int(b) * L; for j in 0..<L { logits[j] += w[row + j] } }
            for (b, v) in zip(f.cueBuckets, f.cueValues) { let row = Int(b & UInt32(buckets - 1)) * L; for j in 0..<L { logits[j] += v * w[row + j] } }
            return LinearModel.softmax(logits)
        }

        for epoch in 1...configuration.epochs {
            rng.shuffle(&train)
            w.withUnsafeMutableBufferPointer { w in
              g.withUnsafeMutableBufferPointer { g in
                u.withUnsafeMutableBufferPointer { u in
                    for index in train {
                        let (label, f) = examples[index]
                        let p = forward(f, w, bias)
                        var grad = p
                        grad[label] -= 1
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
                        for b in f.ngrams { update(Int(b) * L, 1) }
                        for (b, v) in zip(f.cueBuckets, f.cueValues) { update(Int(b & UInt32(buckets - 1)) * L, v) }
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
            let correct = averaged.withUnsafeMutableBufferPointer { w in
                validation.reduce(0) { count, index in
                    let p = forward(examples[index].features, w, averagedBias)
                    return count + (p.indices.max { p[$0] < p[$1] } == examples[index].label ? 1 : 0)
                }
            }
            let accuracy = validation.isEmpty ? 1 : Double(correct) / Double(validation.count)
            history.append(accuracy)
            progress(epoch, accuracy)
            if accuracy > best.accuracy || validation.isEmpty { best = (accuracy, epoch, averaged, averagedBias) }
        }
        return (best.w, best.bias, Report(trainExamples: train.count, validationExamples: validation.count, bestEpoch: best.epoch,
                              validationAccuracy: history))
    }
}

/// SplitMix64: a small deterministic RNG (the same sequence on every platform).
public struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Fisher–Yates with this generator (the standard library's shuffle may change between releases).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = Int(next() % UInt64(i + 1))
            array.swapAt(i, j)
        }
    }
}
