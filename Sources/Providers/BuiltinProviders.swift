import SeopipeCore

extension ProviderRegistry {
    /// Every provider kind this build of seopipe supports, in the order help texts and docs list them; a new
    /// provider is one more line here.
    public static let builtin = ProviderRegistry(
        [
            AhrefsV3Provider(), AhrefsV2Provider(), DataForSEOProvider(), AnalyticsBatchProvider(),
        ], sharedDictionary: [BIViews.dictionary])
}
