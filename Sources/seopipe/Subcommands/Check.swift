import ArgumentParser
import Foundation
import Providers
import SeopipeCore

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prove each provider's credentials with a free call and show what is left next to the plan.",
        discussion: """
            For each provider of the file that has a free account call (Ahrefs v3 \
            subscription-info/limits-and-usage, DataForSEO appendix/user_data), one request: it proves the \
            credentials and reports the units left this month or the USD balance, printed next to what `plan` \
            estimates for one run. Providers without such a call are listed as not checked. Nothing is fetched or \
            spent. Exit 1 when credentials are refused or a provider cannot be reached, 3 when the plan needs more \
            than is left.
            """)

    @Argument(help: "The pipeline file (YAML).")
    var file: String

    func run() async throws {
        let pipeline = try loadPipeline(file)
        let plans: [StagePlan]
        do {
            plans = try Planner.plan(pipeline, registry: .builtin)
        } catch {
            printError("error: \(error)")
            throw Exit.usage
        }
        let code = await checkAccounts(pipeline, plans: plans)
        if code != 0 { throw ExitCode(code) }
    }
}

/// Prints one line per provider of `pipeline` from its free account call; returns the exit code it calls for:
/// 1 refused or unreachable, 3 short of units or money, else 0.
func checkAccounts(_ pipeline: Pipeline, plans: [StagePlan]) async -> Int32 {
    let transport = Engine.builtin.makeTransport()
    let outcomes = await AccountCheck.run(pipeline, plans: plans, registry: .builtin, transport: transport)
    await transport.shutdown()
    var code: Int32 = 0
    for outcome in outcomes {
        let name = "provider \(outcome.provider) (\(outcome.kind))"
        let need =
            outcome.estimatedCostUSD > 0
            ? "~$\(String(format: "%.4f", outcome.estimatedCostUSD))"
            : "~\(formatNumber(outcome.estimatedUnits)) units"
        switch outcome.result {
        case nil:
            print("\(name): no free account call; credentials not checked (this plan: \(need))")
        case .failure(.unauthorized(let message))?:
            print("\(name): credentials REFUSED: \(message)")
            code = 1
        case .failure(.failed(let message))?:
            print("\(name): cannot check: \(message)")
            code = 1
        case .success(let status)?:
            let short = outcome.isShort ? "; NOT ENOUGH LEFT for this plan" : ""
            print("\(name): credentials ok; \(status.summary); this plan: \(need)\(short)")
            if outcome.isShort, code == 0 { code = 3 }
        }
    }
    return code
}
