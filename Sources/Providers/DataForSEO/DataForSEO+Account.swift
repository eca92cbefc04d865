import Foundation
import SeopipeCore

/// `appendix/user_data`: free; proves the login and reports the USD balance.
extension DataForSEOProvider {
    public func accountRequest(_ provider: ProviderConfig) -> HTTPRequestSpec? {
        let login = provider.credential("login").value
        let password = provider.credential("password").value
        let basic = Data("\(login):\(password)".utf8).base64EncodedString()
        return HTTPRequestSpec(
            method: "GET", url: provider.baseURL + "/appendix/user_data",
            headers: [("Authorization", "Basic \(basic)"), ("Accept", "application/json")], body: [])
    }

    public func accountStatus(_ response: HTTPResponseData) -> Result<AccountStatus, AccountCheckFailure> {
        let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        let code = (object?["status_code"] as? NSNumber)?.intValue
        let message = (object?["status_message"] as? String) ?? "HTTP \(response.status)"
        if response.status == 401 || code == 40100 || code == 40101 {
            return .failure(.unauthorized("\(code.map(String.init) ?? "HTTP 401") \(message)"))
        }
        guard code == 20000, let task = (object?["tasks"] as? [[String: Any]])?.first,
            (task["status_code"] as? NSNumber)?.intValue == 20000,
            let result = (task["result"] as? [[String: Any]])?.first
        else { return .failure(.failed("\(code.map(String.init) ?? "HTTP \(response.status)") \(message)")) }
        guard let balance = ((result["money"] as? [String: Any])?["balance"] as? NSNumber)?.doubleValue else {
            return .failure(.failed("the answer has no money.balance"))
        }
        // The login is a credential too: it is not printed.
        return .success(AccountStatus(balanceUSD: balance, summary: "$\(String(format: "%.2f", balance)) balance"))
    }
}
