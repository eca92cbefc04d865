import Dispatch
import Foundation
import Logging
import SeopipeCore

/// SIGTERM and SIGINT during a run: the first asks the run to stop (no new chunk starts, the chunks in flight
/// finish and commit, the run is recorded as interrupted); a second one ends the process at once. Either way the
/// warehouse stays consistent, because a chunk's rows and its checkpoint commit together or not at all.
final class StopSignals: @unchecked Sendable {
    private static let handled = StopRequest.signals.sorted { $0.key < $1.key }.map { (number: $0.value, name: $0.key) }
    private var sources: [any DispatchSourceSignal] = []

    init(stop: StopRequest, logger: Logger) {
        for (number, name) in Self.handled {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                guard stop.request(name) else {
                    printError("seopipe: \(name) again: stopping now; chunks not committed are fetched by the next run")
                    exit(128 + number)
                }
                logger.warning("\(name): stopping after the requests in flight; send it again to stop at once")
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Puts the default handlers back (after the run).
    func restore() {
        for source in sources { source.cancel() }
        for (number, _) in Self.handled { signal(number, SIG_DFL) }
    }
}
