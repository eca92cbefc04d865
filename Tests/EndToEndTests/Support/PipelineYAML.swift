import Providers
import SeopipeCore

/// A pipeline file for the tests, with the shipped conventions (base URL and token from the environment)
/// and fast retry and rate settings: every built-in provider under its pipeline name (`ahrefs`, `dataforseo`,
/// `analytics`, `ahrefs_v2`), from the registry, so a new provider is in every test pipeline at once.
func pipelineYAML(
    name: String = "e2e", stages: String, maxAttempts: Int = 3, rateLimit: String = "6000/min",
    budget: String? = nil, dataForSEOBudget: String? = nil, parallelLimit: Int = 5, timeout: String? = nil,
    batchSizes: [String: Int] = [:]
) -> String {
    let retry =
        "retry: { max_attempts: \(maxAttempts), base_delay: 50ms, max_delay: 200ms }"
        + (timeout.map { "\n    timeout: \($0)" } ?? "")
    let budgets = ["ahrefs": budget, "dataforseo": dataForSEOBudget].compactMapValues { $0 }
    var text = "name: \(name)\nwarehouse: sqlite:warehouse.db\nproviders:\n"
    for driver in ProviderRegistry.builtin.ordered {
        let key = driver.pipelineName
        text += "  \(key):\n    kind: \(driver.kind)\n    base_url: \(driver.baseURL.pipelineValue)\n"
        for credential in driver.credentials { text += "    \(credential.key): ${\(credential.variable)}\n" }
        text += "    rate_limit: \(rateLimit)\n    \(retry)\n"
        if let size = batchSizes[key] { text += "    batch_size: \(size)\n" }
        if let budget = budgets[key] { text += "    budget: { \(budget) }\n" }
    }
    text += "options: { parallel_limit: \(parallelLimit) }\nstages:\n" + stages
    return text
}
