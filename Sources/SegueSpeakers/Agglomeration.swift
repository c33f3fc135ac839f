/// Agglomerative (bottom-up) clustering: the one merge loop behind every
/// speaker merge in this module (`SpeakerClustering`, the speaker merges of
/// a window and the linking of windows in `SpeakerDiarizer`). The callers
/// differ only in their merge test, `cost`: a negative cost means "one
/// speaker".
enum Agglomeration {
    /// Merges the cheapest pair of clusters, the higher index into the lower,
    /// while more than `goal` are left and — when `stopAtZero` — while that
    /// pair's cost is negative. Ties go to the pair with the lowest indices.
    /// Items where `active` is false take no part. Returns, for each item,
    /// the index of the cluster that holds it.
    ///
    /// After a merge only the costs of the merged cluster are recomputed, as
    /// `cost(merged, other)`, and each row's cheapest entry is cached, so a
    /// merge costs O(n) comparisons instead of O(n²).
    static func cluster<Cluster>(_ items: [Cluster], active: [Bool]? = nil, goal: Int, stopAtZero: Bool,
                                 cost: (Cluster, Cluster) -> Double,
                                 merge: (inout Cluster, Cluster) -> Void) -> [Int] {
        let n = items.count
        guard n > 1 else { return Array(0..<n) }
        var clusters = items
        var alive = active ?? [Bool](repeating: true, count: n)
        var owner = Array(0..<n)
        var matrix = [Double](repeating: .infinity, count: n * n)
        for i in 0..<n where alive[i] {
            for j in (i + 1)..<n where alive[j] {
                let c = cost(clusters[i], clusters[j])
                matrix[i * n + j] = c
                matrix[j * n + i] = c
            }
        }
        // Cheapest entry of each row, and its lowest column.
        var rowMin = [Double](repeating: .infinity, count: n)
        var rowArg = [Int](repeating: -1, count: n)
        func refresh(_ i: Int) {
            rowMin[i] = .infinity
            rowArg[i] = -1
            for j in 0..<n where j != i && alive[j] && matrix[i * n + j] < rowMin[i] {
                rowMin[i] = matrix[i * n + j]; rowArg[i] = j
            }
        }
        for i in 0..<n where alive[i] { refresh(i) }
        var count = alive.filter { $0 }.count
        while count > max(1, goal) {
            var best = Double.infinity, bi = -1, bj = -1
            for i in 0..<n where alive[i] && rowMin[i] < best {
                best = rowMin[i]; bi = min(i, rowArg[i]); bj = max(i, rowArg[i])
            }
            guard bi >= 0 else { break }
            if stopAtZero && best >= 0 { break }
            merge(&clusters[bi], clusters[bj])
            alive[bj] = false
            for k in 0..<n where owner[k] == bj { owner[k] = bi }
            count -= 1
            for k in 0..<n where alive[k] && k != bi {
                let c = cost(clusters[bi], clusters[k])
                matrix[k * n + bi] = c
                matrix[bi * n + k] = c
            }
            for k in 0..<n where alive[k] && k != bi {
                let c = matrix[k * n + bi]
                if rowArg[k] == bi || rowArg[k] == bj {
                    refresh(k)
                } else if c < rowMin[k] || (c == rowMin[k] && bi < rowArg[k]) {
                    rowMin[k] = c; rowArg[k] = bi
                }
            }
            refresh(bi)
        }
        return owner
    }
}
