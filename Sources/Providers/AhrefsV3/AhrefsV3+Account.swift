import Foundation
import SeopipeCore

/// `subscription-info/limits-and-usage`: free; proves the key and reports the units left this month.
extension AhrefsV3Provider {
    public func accountRequest(_ provider: ProviderConfig) -> HTTPRequestSpec? {
        HTTPRequestSpec(
            method: "GET", url: provider.baseURL + "/subscription-info/limits-and-usage",
            headers: [("Authorization", "Bearer \(provider.token.value)"), ("Accept", "application/json")], body: [])
    }

    public func accountStatus(_ response: HTTPResponseData) -> Result<AccountStatus, AccountCheckFailure> {
        guard response.status == 200 else {
            let message = "HTTP \(response.status): " + Self.errorMessage(response.body)
            return .failure(
                response.status == 401 || response.status == 403 ? .unauthorized(message) : .failed(message))
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let usage = object["limits_and_usage"] as? [String: Any]
        else { return .failure(.failed("the answer has no limits_and_usage object")) }
        let used = (usage["units_usage_api_key"] as? NSNumber)?.doubleValue ?? 0
        let limit = (usage["units_limit_api_key"] as? NSNumber)?.doubleValue
        let plan = (usage["subscription"] as? String).map { "\($0), " } ?? ""
        let reset = (usage["usage_reset_date"] as? String).map { ", resets \($0.prefix(10))" } ?? ""
        guard let limit else {
            return .success(AccountStatus(summary: "\(plan)\(Int(used)) units used, no limit on this key\(reset)"))
        }
        let left = max(0, limit - used)
        return .success(
            AccountStatus(
                unitsLeft: left, summary: "\(plan)\(Int(left)) of \(Int(limit)) units left this month\(reset)"))
    }
}
