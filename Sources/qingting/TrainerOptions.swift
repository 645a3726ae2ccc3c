import ArgumentParser
import QingtingClassify

/// The trainer options `train sentiment` and `train intent` share. Each is optional: what is not
/// given comes from the command's recipe in the library (`LinearTrainer.Configuration.sentiment`,
/// `.intent`), so the defaults live in one place and the help text shows them.
struct TrainerOptions: ParsableArguments {
    private static let s = LinearTrainer.Configuration.sentiment, i = LinearTrainer.Configuration.intent

    @Option(help: "Training epochs; the best on the validation slice is kept (default: sentiment \(s.epochs), intent \(i.epochs)).")
    var epochs: Int?

    @Option(help: "Random seed for shuffling and the validation slice (default: \(s.seed)).")
    var seed: UInt64?

    @Option(help: "Share of the training examples held out to choose the epoch (and intent thresholds); 0 trains on all, keeping the last epoch (default: sentiment \(s.validationFraction), intent \(i.validationFraction)).")
    var validationFraction: Double?

    @Option(help: "Train this many members (seeds seed, seed+1, …) and average them (default: sentiment \(s.ensemble), intent \(i.ensemble)).")
    var ensemble: Int?

    @Option(help: "AdaGrad learning rate (default: sentiment \(s.learningRate), intent \(i.learningRate); a softmax moves two columns per step, a gated polarity one).")
    var learningRate: Float?

    @Option(help: "L2 penalty per update (default: \(s.l2)).")
    var l2: Float?

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs \(epochs) must be at least 1") }
        if let ensemble, ensemble < 1 { throw ValidationError("--ensemble \(ensemble) must be at least 1") }
        if let validationFraction, !(0..<1).contains(validationFraction) {
            throw ValidationError("--validation-fraction \(validationFraction) is not in [0, 1)")
        }
    }

    /// `recipe` with every option that was given.
    func configuration(_ recipe: LinearTrainer.Configuration) -> LinearTrainer.Configuration {
        var c = recipe
        if let epochs { c.epochs = epochs }
        if let seed { c.seed = seed }
        if let validationFraction { c.validationFraction = validationFraction }
        if let ensemble { c.ensemble = ensemble }
        if let learningRate { c.learningRate = learningRate }
        if let l2 { c.l2 = l2 }
        return c
    }
}
