import Foundation

/// Spending of one provider within a run, checked before every paid request.
public actor BudgetTracker {
    public let budget: Budget
    public private(set) var spentUnits: Double = 0
    public private(set) var spentCostUSD: Double = 0
    private var reservedUnits: Double = 0
    private var reservedCostUSD: Double = 0
    /// Set when the provider said money or quota ran out: nothing more is sent to it in this run.
    public private(set) var exhaustion: String?

    /// What earlier runs of the pipeline were charged by this provider today (for the per-day limits).
    public let spentEarlierToday: (units: Double, costUSD: Double)

    public init(_ budget: Budget, spentEarlierToday: (units: Double, costUSD: Double) = (0, 0)) {
        self.budget = budget
        self.spentEarlierToday = spentEarlierToday
    }

    public enum Reservation: Sendable, Equatable {
        case granted
        /// The request would cross `max_units`, `max_cost_usd` or a per-day limit.
        case overBudget
        /// The provider itself refused to spend more (payment required, cost limit).
        case exhausted(String)
    }

    /// Books an estimate before sending; anything but `.granted` means the request is not sent.
    public func reserve(units: Double, costUSD: Double) -> Reservation {
        if let exhaustion { return .exhausted(exhaustion) }
        if let max = budget.maxUnits, spentUnits + reservedUnits + units > max { return .overBudget }
        if let max = budget.maxCostUSD, spentCostUSD + reservedCostUSD + costUSD > max { return .overBudget }
        if let max = budget.maxUnitsPerDay, spentEarlierToday.units + spentUnits + reservedUnits + units > max {
            return .overBudget
        }
        if let max = budget.maxCostUSDPerDay,
            spentEarlierToday.costUSD + spentCostUSD + reservedCostUSD + costUSD > max
        {
            return .overBudget
        }
        reservedUnits += units
        reservedCostUSD += costUSD
        return .granted
    }

    /// Stops all further spending with this provider in this run.
    public func exhaust(_ message: String) {
        if exhaustion == nil { exhaustion = message }
    }

    /// Replaces a reservation with what the provider actually charged (zero when nothing was charged).
    public func settle(
        reservedUnits units: Double, reservedCostUSD cost: Double, chargedUnits: Double, chargedCostUSD: Double
    ) {
        reservedUnits -= units
        reservedCostUSD -= cost
        spentUnits += chargedUnits
        spentCostUSD += chargedCostUSD
    }

    public var summary: String {
        var parts: [String] = []
        if let max = budget.maxUnits { parts.append("spent \(Int(spentUnits)) of \(Int(max)) units") }
        if let max = budget.maxCostUSD {
            parts.append("spent $\(String(format: "%.4f", spentCostUSD)) of $\(String(format: "%.2f", max))")
        }
        if let max = budget.maxUnitsPerDay {
            parts.append(
                "spent \(Int(spentEarlierToday.units + spentUnits)) of \(Int(max)) units today "
                    + "(\(Int(spentEarlierToday.units)) by earlier runs)")
        }
        if let max = budget.maxCostUSDPerDay {
            parts.append(
                "spent $\(String(format: "%.4f", spentEarlierToday.costUSD + spentCostUSD)) of "
                    + "$\(String(format: "%.2f", max)) today ($\(String(format: "%.4f", spentEarlierToday.costUSD)) by earlier runs)"
            )
        }
        return parts.joined(separator: ", ")
    }
}

/// Bounds concurrent provider requests across the whole run (`options.parallel_limit`).
public actor AsyncSemaphore {
    private var permits: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(permits: Int) { self.permits = permits }

    public func wait() async {
        if permits > 0 {
            permits -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    public func signal() {
        if waiters.isEmpty {
            permits += 1
        } else {
            waiters.removeFirst().resume()
        }
    }

    /// Runs `body` holding one permit.
    public func withPermit<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await wait()
        defer { signal() }
        return try await body()
    }
}
