import QingtingCore
import QingtingRules
import TestSupport
import Testing

/// Profile facts from a plain dictionary.
struct Facts: ProfileFacts {
    var fields: [String: String]
    func values(of name: String) -> [Condition.Value] { fields[name].map { [.text($0)] } ?? [] }
}

func event(_ seq: Int64, at minutes: Int64, customer: String? = "C1", kind: String = "post", platform: String = "weibo",
           text: String = "", sentiment: String? = nil, intents: [String] = [], category: String? = nil) -> RuleEvent {
    var analysis: String?
    if let sentiment {
        let list = intents.map { #"{"label":"\#($0)","probability":0.9}"# }.joined(separator: ",")
        let cat = category.map { "\"\($0)\"" } ?? "null"
        analysis = #"{"sentiment":"\#(sentiment)","probabilities":{"\#(sentiment)":0.9},"intents":[\#(list)],"category":\#(cat),"tags":[]}"#
    }
    return RuleEvent(seq: seq, platform: platform, eventID: "e\(seq)", kind: kind, occurredAt: minutes * 60_000,
                     text: text, customer: customer, author: customer.map { "weibo:" + $0 }, analysis: analysis)
}

struct Harness {
    var engine: RuleEngine
    var profiles: [String: [String: String]] = [:]
    var events: [Int64: RuleEvent] = [:]
    var statuses: [String: String] = [:]

    init(_ text: String) throws { engine = RuleEngine(rules: try RuleSet.parse(text, source: "test.rules")) }

    var lookups: RuleEngine.Lookups {
        let p = profiles, e = events, s = statuses
        return RuleEngine.Lookups(profile: { id in p[id].map { Facts(fields: $0) } }, event: { e[$0] },
                                  actionStatus: { s[$0] })
    }

    mutating func feed(_ e: RuleEvent) -> [RuleEngine.Firing] {
        events[e.seq] = e
        return engine.process(e, lookups)
    }
}

@Suite struct RuleFileTests {
    @Test func theShippedRuleFileParses() throws {
        let rules = try RuleSet.load(TestPaths.root + "/Lexicons/rules.txt")
        #expect(rules.rules.count >= 9)
        #expect(rules.rules.contains { $0.name == "vip-negative-post" })
    }

    @Test func everyProblemIsReportedWithItsLine() throws {
        let text = """
            rule a
              when sentiment = negative and
              reply template=missing
            rule b
              frobnicate 3
              alert x
            rule c
              when colour = red
              alert y
            route quality when count(kind = post within 1h) > 1
            """
        do {
            _ = try RuleSet.parse(text, source: "bad.rules")
            Issue.record("a bad rule file parsed")
        } catch let e as QingtingErrors {
            let lines = e.errors.map(\.description)
            #expect(lines.contains { $0.hasPrefix("bad.rules:2: expected a field") })
            #expect(lines.contains { $0.hasPrefix("bad.rules:5: unknown clause 'frobnicate'") })
            #expect(lines.contains { $0.hasPrefix("bad.rules:8: unknown field 'colour'") })
            #expect(lines.contains { $0.hasPrefix("bad.rules:10: a route cannot count events") })
            #expect(lines.contains { $0.hasPrefix("bad.rules:3: no template named 'missing'") })
        }
    }

    /// Found by the fuzzer (`rules`): `cooldown 4102444800000d` trapped converting the Double to
    /// Int64; any duration past 100 years (or `1e400h`, `inf`) is refused with its line instead.
    @Test func aDurationTooLongIsRefusedNotATrap() throws {
        for duration in ["4102444800000d", "999999999999999999999h", "1e400s", "infh", "36526d"] {
            let text = "rule r\n  when sentiment = negative\n  cooldown \(duration)\n  alert x\n"
            #expect(throws: QingtingErrors.self) { try RuleSet.parse(text, source: "long.rules") }
            do { _ = try RuleSet.parse(text, source: "long.rules") } catch let e as QingtingErrors {
                #expect(e.errors.map(\.description) == ["long.rules:3: cooldown needs a duration: cooldown 24h"])
            }
            let window = "rule r\n  when count(kind = post within \(duration) by customer) >= 2\n  alert x\n"
            #expect(throws: QingtingErrors.self) { try RuleSet.parse(window, source: "long.rules") }
        }
        let longest = try RuleSet.parse("rule r\n  cooldown 36525d\n  alert x\n", source: "ok.rules")
        let hundredYears: Int64 = 36_525 * 86_400_000
        #expect(longest.rules.first?.cooldown == hundredYears)
    }

    /// Found by the fuzzer (`rules`, CRLF = LF invariant): "\r\n" is one Character, so a file with
    /// Windows line ends was read as a single line.
    @Test func crlfLineEndsReadLikeLF() throws {
        let text = try String(decoding: FileIO.read(TestPaths.root + "/Lexicons/rules.txt"), as: UTF8.self)
        let lf = try RuleSet.parse(text, source: "rules.txt")
        let crlf = try RuleSet.parse(text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n"),
                                     source: "rules.txt")
        #expect(crlf.rules.map(\.name) == lf.rules.map(\.name))
        #expect(crlf.rules.map(\.location) == lf.rules.map(\.location))
        do {
            _ = try RuleSet.parse("rule a\r\n  frobnicate 3\r\n  alert x\r\n", source: "bad.rules")
            Issue.record("an unknown clause parsed")
        } catch let e as QingtingErrors {
            #expect(e.errors.map(\.description).contains { $0.hasPrefix("bad.rules:2: unknown clause 'frobnicate'") })
        }
    }

    @Test func andOrNotAndInCombine() throws {
        var h = try Harness("""
            rule r
              when (sentiment = negative or intent = complaint) and not profile.level in (VIP, svip)
              alert x
            """)
        h.profiles["C1"] = ["level": "vip"]
        h.profiles["C2"] = ["level": "normal"]
        #expect(h.feed(event(1, at: 0, customer: "C1", sentiment: "negative")).isEmpty)
        #expect(h.feed(event(2, at: 1, customer: "C2", sentiment: "neutral", intents: ["complaint"])).count == 1)
        #expect(h.feed(event(3, at: 2, customer: "C2", sentiment: "positive")).isEmpty)
    }
}

@Suite struct RuleEngineTests {
    @Test func threeNegativesInADayFireOnceAndTheWindowSlides() throws {
        var h = try Harness("""
            rule r
              when count(sentiment = negative within 24h by customer) >= 3
              alert x
            """)
        #expect(h.feed(event(1, at: 0, sentiment: "negative")).isEmpty)
        #expect(h.feed(event(2, at: 60, sentiment: "positive")).isEmpty)
        #expect(h.feed(event(3, at: 120, sentiment: "negative")).isEmpty)
        let fired = h.feed(event(4, at: 180, sentiment: "negative"))
        #expect(fired.count == 1 && fired[0].events == [1, 3, 4] && fired[0].key == "r|e4")
        // A fourth within the window does not fire again (one alert per window).
        #expect(h.feed(event(5, at: 240, sentiment: "negative")).isEmpty)
        // Another customer counts apart.
        #expect(h.feed(event(6, at: 240, customer: "C2", sentiment: "negative")).isEmpty)
        // Two days later, the old ones have left the window: one negative is not three.
        #expect(h.feed(event(7, at: 3000, sentiment: "negative")).isEmpty)
    }

    @Test func aWaitFiresAfterSilenceAndAnInteractionCancelsIt() throws {
        var h = try Harness("""
            rule silent
              on dm
              when profile.level = VIP
              wait 48h unless any
              alert silent
            """)
        h.profiles["C1"] = ["level": "VIP"]
        h.profiles["C2"] = ["level": "VIP"]
        #expect(h.feed(event(1, at: 0, customer: "C1", kind: "dm")).isEmpty)
        #expect(h.feed(event(2, at: 0, customer: "C2", kind: "dm")).isEmpty)
        // C2 writes again after a day: their wait restarts; C1 stays silent.
        #expect(h.feed(event(3, at: 24 * 60, customer: "C2", kind: "comment")).isEmpty)
        let fired = h.engine.advance(to: 48 * 60 * 60_000 + 1, h.lookups)
        #expect(fired.map(\.customer) == ["C1"])
        #expect(fired[0].at == 48 * 60 * 60_000 && fired[0].key == "silent|e1")
        #expect(h.engine.advance(to: 200 * 60 * 60_000, h.lookups).isEmpty)
    }

    @Test func aDelayedStepRunsOnlyIfTheMessageWasRead() throws {
        var h = try Harness("""
            rule buy
              when intent = purchase
              message template=guide
              after 24h if read: coupon c10
            template guide: 指南
            """)
        let first = h.feed(event(1, at: 0, customer: "C1", sentiment: "neutral", intents: ["purchase"]))
        _ = h.feed(event(2, at: 0, customer: "C2", sentiment: "neutral", intents: ["purchase"]))
        #expect(first.count == 1 && first[0].actions.map(\.kind) == [.message])
        h.statuses["buy|e1|0"] = "read"
        h.statuses["buy|e2|0"] = "delivered"
        let later = h.engine.advance(to: 25 * 60 * 60_000, h.lookups)
        #expect(later.map(\.key) == ["buy|e1|step0"])
        #expect(later[0].actions.map(\.kind) == [.coupon])
    }

    @Test func aSpikeSaysWhichTermsPlatformsAndAuthorsDriveIt() throws {
        var h = try Harness("""
            rule spike
              spike window 1h baseline 10h growth 200% min 5
              alert spike
            """)
        var seq: Int64 = 0
        // A quiet baseline: one post an hour on #新品#.
        for hour in 0..<10 {
            seq += 1
            #expect(h.feed(event(seq, at: Int64(hour) * 60, customer: "B\(hour)", text: "#新品# 不错")).isEmpty)
        }
        var fired: [RuleEngine.Firing] = []
        for i in 0..<6 {
            seq += 1
            fired += h.feed(event(seq, at: 600 + Int64(i), customer: "A\(i % 2)", platform: i < 4 ? "douyin" : "weibo",
                                  text: "#新品# #翻车# 黑屏"))
        }
        #expect(fired.count == 2)  // #新品# and #翻车# each fire once in this hour
        let why = try JSONValue.parse(fired[0].reason)
        #expect(why["topic"] == .string("#新品#") || why["topic"] == .string("#翻车#"))
        #expect(why["platforms"]?.jsonText.contains("douyin") == true)
        #expect(why["authors"]?.jsonText.contains("A0") == true)
    }

    @Test func theSameTriggerGivesTheSameKeysOnAReplay() throws {
        let text = """
            rule r
              when sentiment = negative
              ticket
              reply template=t
            template t: 抱歉
            """
        var a = try Harness(text)
        var b = try Harness(text)
        let e = event(9, at: 5, sentiment: "negative")
        let x = a.feed(e).flatMap { a.engine.drafts($0, trigger: e, profile: nil) }.map(\.key)
        let y = b.feed(e).flatMap { b.engine.drafts($0, trigger: e, profile: nil) }.map(\.key)
        #expect(x == ["r|e9|0", "r|e9|1"] && x == y)
    }

    @Test func aPrivateReplyOutsideMetasWindowIsBlocked() throws {
        var h = try Harness("""
            rule r
              on dm
              wait 30h unless any
              reply template=t
            template t: 您好
            """)
        let dm = event(1, at: 0, kind: "dm", platform: "facebook")
        _ = h.feed(dm)
        let fired = h.engine.advance(to: 31 * 3_600_000, h.lookups)
        let drafts = h.engine.drafts(fired[0], trigger: dm, profile: nil)
        #expect(drafts[0].status == "blocked" && drafts[0].body.contains("reply_window"))
    }

    /// `hasTimer(triggeredBy:)` is counted as timers are set, replaced, cancelled and fired: it
    /// must say what a scan of the pending timers says (a backtest forgets the other events).
    @Test func pendingTimersAreKnownByTheEventThatStartedThem() throws {
        var h = try Harness("""
            rule w
              on dm
              wait 1h unless any
              alert x
            rule s
              on post
              message template=t
              after 2h if read: coupon c
            template t: hi
            """)
        _ = h.feed(event(1, at: 0, kind: "dm"))
        #expect(h.engine.state.hasTimer(triggeredBy: 1))
        _ = h.feed(event(2, at: 10, kind: "dm"))  // answers the first wait and starts its own
        #expect(!h.engine.state.hasTimer(triggeredBy: 1) && h.engine.state.hasTimer(triggeredBy: 2))
        _ = h.feed(event(3, at: 20, customer: "C2"))  // a message with a delayed step
        #expect(h.engine.state.hasTimer(triggeredBy: 3))
        #expect(h.engine.advance(to: 75 * 60_000, h.lookups).count == 1)  // the wait fires
        #expect(!h.engine.state.hasTimer(triggeredBy: 2) && h.engine.state.hasTimer(triggeredBy: 3))
        _ = h.engine.advance(to: 141 * 60_000, h.lookups)  // the step is due (unread: it does not fire)
        #expect(!(1...3).contains { h.engine.state.hasTimer(triggeredBy: $0) })
    }

    /// A state that tracks no changes (a backtest's) fires the same and names no entry.
    @Test func untrackedStateFiresTheSame() throws {
        let text = """
            rule r
              when count(sentiment = negative within 24h by customer) >= 2
              wait 1h unless any
              alert x
            """
        var tracked = try Harness(text)
        var untracked = try Harness(text)
        untracked.engine.state.tracksChanges = false
        for (seq, minutes) in [(1, 0), (2, 10), (3, 30), (4, 200)] as [(Int64, Int64)] {
            let e = event(seq, at: minutes, customer: seq == 3 ? "C2" : "C1", sentiment: "negative")
            #expect(tracked.feed(e).map(\.key) == untracked.feed(e).map(\.key))
        }
        #expect(tracked.engine.advance(to: 300 * 60_000, tracked.lookups).map(\.key)
            == untracked.engine.advance(to: 300 * 60_000, untracked.lookups).map(\.key))
        #expect(!tracked.engine.state.dirty.isEmpty && untracked.engine.state.dirty.isEmpty)
    }

    @Test func stateSurvivesEncodingEntryByEntry() throws {
        var h = try Harness("""
            rule r
              when count(sentiment = negative within 24h by customer) >= 2
              wait 1h unless any
              alert x
            """)
        _ = h.feed(event(1, at: 0, sentiment: "negative"))
        var restored = RuleState()
        for name in h.engine.state.dirty { if let v = h.engine.state.encoded(name) { try restored.restore(name, v) } }
        var h2 = h
        h2.engine = RuleEngine(rules: h.engine.rules, state: restored)
        _ = h2.feed(event(2, at: 10, sentiment: "negative"))  // the second negative: the wait starts
        // A restart with the pending timer: restored, it fires when its deadline passes, not before.
        var again = RuleState()
        for name in h2.engine.state.dirty { if let v = h2.engine.state.encoded(name) { try again.restore(name, v) } }
        var h3 = h2
        h3.engine = RuleEngine(rules: h.engine.rules, state: again)
        #expect(h3.engine.advance(to: 69 * 60_000, h3.lookups).isEmpty)
        #expect(h3.engine.advance(to: 71 * 60_000, h3.lookups).count == 1)
        #expect(h2.engine.advance(to: 71 * 60_000, h2.lookups).count == 1)
    }
}
