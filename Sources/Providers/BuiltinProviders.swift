import SeopipeCore

extension ProviderRegistry {
    /// Every provider kind this build of seopipe supports.
    public static let builtin = ProviderRegistry([
        AhrefsV3Provider(), AhrefsV2Provider(), DataForSEOProvider(), AnalyticsBatchProvider(),
    ])
}
