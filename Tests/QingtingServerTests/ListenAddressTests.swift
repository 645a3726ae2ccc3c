import QingtingCore
import QingtingServer
import Testing

/// `serve --http`'s address: loopback unless `--http-public`, and what counts as loopback.
@Suite struct ListenAddressTests {
    @Test func aBarePortIsLoopbackAndLoopbackAddressesPass() throws {
        #expect(try ListenAddress.parse("8080", allowPublic: false) == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(try ListenAddress.parse("localhost:9", allowPublic: false).host == "127.0.0.1")
        #expect(try ListenAddress.parse("127.3.2.1:80", allowPublic: false).port == 80)
        #expect(try ListenAddress.parse("[::1]:8443", allowPublic: false).description == "[::1]:8443")
        #expect(try ListenAddress.parse("[::ffff:127.0.0.1]:1", allowPublic: false).host == "::ffff:127.0.0.1")
    }

    @Test func anAddressOthersCanReachNeedsHTTPPublic() throws {
        for text in ["0.0.0.0:8080", "192.168.1.10:80", "[::]:8080", "[2001:db8::1]:80", "128.0.0.1:1"] {
            let error = try #require(throws: QingtingError.self) { try ListenAddress.parse(text, allowPublic: false) }
            #expect(error.message.contains("not a loopback address") && error.message.contains("--http-public"))
            #expect(try ListenAddress.parse(text, allowPublic: true).port > 0)
        }
    }

    @Test func malformedAddressesAreRefusedWithWhatIsWrong() throws {
        for (text, what) in [("70000", "port"), ("127.0.0.1:", "port"), ("127.0.0.1:-1", "port"), ("::1:80", "brackets"),
                             ("example.com:80", "IP address"), ("[::1]80", "[ADDRESS]:PORT")] {
            let error = try #require(throws: QingtingError.self) { try ListenAddress.parse(text, allowPublic: true) }
            #expect(error.message.contains(what), "\(text): \(error.message)")
        }
    }
}
