import Testing
@testable import QingtingReport

@Suite struct KPIFormulaTests {
    @Test func netSentimentAsTalkwalkerComputesIt() throws {
        // Talkwalker's worked example: (255 − 513) / (255 + 513) = −33.6 %.
        let f = try KPIFormula.parse("(positive - negative) / (positive + negative)")
        let v = try #require(f.value(["positive": 255, "negative": 513, "neutral": 999]))
        #expect(abs(v - (-0.3359375)) < 1e-12)
        #expect(f.measures == ["positive", "negative"])
    }

    @Test func precedenceAndUnaryMinus() throws {
        #expect(try KPIFormula.parse("1 + 2 * 3").value([:]) == 7)
        #expect(try KPIFormula.parse("-(a - b) * 100").value(["a": 1, "b": 3]) == 200)
        #expect(try KPIFormula.parse("nps.promoters/nps.responses*100 - nps.detractors/nps.responses*100")
            .value(["nps.promoters": 6, "nps.detractors": 2, "nps.responses": 10]) == 40)
    }

    @Test func printsWithTheParenthesesPrecedenceNeeds() throws {
        for text in ["(a - b) / (a + b)", "a + b + c", "a - (b - c)", "a / (b * c)", "-(a + b) * 2", "a * b + c / d"] {
            #expect(try KPIFormula.parse(text).description == text)
        }
        #expect(try KPIFormula.parse("((a + b)) + (c)").description == "a + b + c")
    }

    @Test func divisionByZeroIsUndefined() throws {
        #expect(try KPIFormula.parse("a / (b - b) + 1").value(["a": 1, "b": 2]) == nil)
    }

    @Test func errorsNameTheColumn() {
        #expect(throws: (any Error).self) { try KPIFormula.parse("a + ") }
        do {
            _ = try KPIFormula.parse("(a + b")
            Issue.record("accepted an open parenthesis")
        } catch {
            #expect("\(error)".contains("column 7"))
            #expect("\(error)".contains("')'"))
        }
    }
}
