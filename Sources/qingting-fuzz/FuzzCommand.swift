// qingting-fuzz: runs the fuzz targets of QingtingFuzz (scripts/fuzz.sh drives it).
//
//   qingting-fuzz TARGET… [--inputs N] [--seed S] [--start K] [--dir DIR] [--root PATH]
//   qingting-fuzz --list
//   qingting-fuzz --replay TARGET FILE          (one input from a file: what broke, or a trap)
//   qingting-fuzz TARGET --dump --start K [--seed S]  (writes input K to DIR/TARGET-K.input)
//   qingting-fuzz --extract DIR/TARGET.current OUT   (the input a trap left behind; prints its number)
//
// Before each input runs, it is copied into DIR/TARGET.current, a file mapped shared, so when
// the code under test traps (the process dies) the input is on disk; the file is removed after a
// run that ends. An input that breaks an invariant is written to DIR/TARGET-INDEX.fail.
// One line per target: `TARGET inputs=N seconds=S failures=F`.

import Foundation
import QingtingCore
import QingtingFuzz

#if canImport(Glibc)
import Glibc
#endif

/// Index, length, then the bytes of the input being run.
struct CurrentInput {
    static let capacity = 16 << 20
    let base: UnsafeMutableRawPointer
    let path: String

    init(path: String) {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0, ftruncate(fd, off_t(16 + Self.capacity)) == 0,
              let map = mmap(nil, 16 + Self.capacity, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), map != MAP_FAILED
        else { fail("cannot map \(path)") }
        close(fd)
        base = map
    }

    func store(_ input: [UInt8], _ index: UInt64) {
        let count = min(input.count, Self.capacity)
        base.storeBytes(of: index, as: UInt64.self)
        base.storeBytes(of: UInt64(count), toByteOffset: 8, as: UInt64.self)
        input.withUnsafeBytes { base.advanced(by: 16).copyMemory(from: $0.baseAddress!, byteCount: count) }
    }

    func remove() {
        munmap(base, 16 + Self.capacity)
        unlink(path)
    }

    /// The index and bytes a trapped run left in `path`.
    static func read(_ path: String) -> (UInt64, [UInt8]) {
        guard let data = FileManager.default.contents(atPath: path), data.count >= 16 else { fail("cannot read \(path)") }
        let bytes = [UInt8](data)
        let index = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let count = Int(bytes[8..<16].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        return (index, Array(bytes[16..<16 + count]))
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("qingting-fuzz: \(message)\n".utf8))
    exit(2)
}

@main
struct FuzzCommand {
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        func option(_ name: String) -> String? {
            guard let i = arguments.firstIndex(of: name) else { return nil }
            guard i + 1 < arguments.count else { fail("\(name) needs a value") }
            let value = arguments[i + 1]
            arguments.removeSubrange(i...i + 1)
            return value
        }

        if let i = arguments.firstIndex(of: "--extract") {
            guard i + 2 < arguments.count else { fail("--extract CURRENT OUT") }
            let (index, bytes) = CurrentInput.read(arguments[i + 1])
            _ = FileManager.default.createFile(atPath: arguments[i + 2], contents: Data(bytes))
            print(index)
            exit(0)
        }

        let inputs = UInt64(option("--inputs") ?? "1000000") ?? { fail("--inputs takes a count") }()
        let seed = UInt64(option("--seed") ?? "1") ?? { fail("--seed takes a number") }()
        let start = UInt64(option("--start") ?? "0") ?? { fail("--start takes a number") }()
        let dir = option("--dir") ?? ".build/fuzz"
        let root = option("--root") ?? FileManager.default.currentDirectoryPath
        let replay = option("--replay")

        let targets: [FuzzTarget]
        do { targets = try FuzzTarget.all(root: root) } catch { fail("\(error) (run from the repository, or pass --root)") }

        if arguments == ["--list"] {
            for target in targets { print(target.name) }
            exit(0)
        }

        func target(_ name: String) -> FuzzTarget {
            if let found = targets.first(where: { $0.name == name }) { return found }
            fail("no target '\(name)' (qingting-fuzz --list)")
        }

        if let replay {
            guard arguments.count == 1 else { fail("--replay TARGET FILE") }
            guard let data = FileManager.default.contents(atPath: arguments[0]) else { fail("cannot read \(arguments[0])") }
            let problem = target(replay).check([UInt8](data))
            print(problem ?? "ok")
            exit(problem == nil ? 0 : 1)
        }

        if let i = arguments.firstIndex(of: "--dump") {
            arguments.remove(at: i)
            guard arguments.count == 1 else { fail("--dump TARGET --start K [--seed S] [--dir DIR]") }
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let file = "\(dir)/\(arguments[0])-\(start).input"
            _ = FileManager.default.createFile(atPath: file, contents: Data(target(arguments[0]).mutator.input(start, seed: seed)))
            print(file)
            exit(0)
        }

        let chosen = arguments == ["all"] ? targets : arguments.map(target)
        guard !chosen.isEmpty else { fail("name a target, 'all' or --list") }
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var failed = false
        for target in chosen {
            let current = CurrentInput(path: "\(dir)/\(target.name).current")
            let clock = ContinuousClock.now
            let report = target.run(seed: seed, start: start, count: inputs) { input, index in current.store(input, index) }
            let seconds = (ContinuousClock.now - clock) / .seconds(1)
            current.remove()
            for (index, problem) in report.failures.prefix(20) {
                let file = "\(dir)/\(target.name)-\(index).fail"
                _ = FileManager.default.createFile(atPath: file, contents: Data(target.mutator.input(index, seed: seed)))
                print("\(target.name) input \(index): \(problem) (\(file))")
            }
            print("\(target.name) inputs=\(report.inputs) seconds=\(String(format: "%.1f", seconds)) failures=\(report.failures.count)")
            fflush(nil)
            failed = failed || !report.failures.isEmpty
        }
        exit(failed ? 1 : 0)

    }
}
