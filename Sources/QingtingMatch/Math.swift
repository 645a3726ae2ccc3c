#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The libm functions the model needs, without Foundation.
enum Math {
    @inline(__always) static func log2(_ x: Double) -> Double { x > 0 ? Glibc_log2(x) : -1074 }
    @inline(__always) static func exp2(_ x: Double) -> Double { Glibc_exp2(x) }
    @inline(__always) static func log(_ x: Double) -> Double { Glibc_log(x) }
    @inline(__always) static func exp(_ x: Double) -> Double { Glibc_exp(x) }

    /// Probability from a match weight in bits.
    @inline(__always) static func probability(bits: Double) -> Double {
        bits > 60 ? 1 : bits < -60 ? 0 : 1 / (1 + Glibc_exp2(-bits))
    }
}

@inline(__always) private func Glibc_log2(_ x: Double) -> Double { log2(x) }
@inline(__always) private func Glibc_exp2(_ x: Double) -> Double { exp2(x) }
@inline(__always) private func Glibc_log(_ x: Double) -> Double { log(x) }
@inline(__always) private func Glibc_exp(_ x: Double) -> Double { exp(x) }

/// Online processors (for splitting work), from sysconf.
func sysconfNumberOfProcessors() -> Int {
    Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
}
