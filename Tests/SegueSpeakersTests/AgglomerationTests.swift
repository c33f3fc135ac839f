import Testing
@testable import SegueSpeakers

/// The shared agglomeration (cached row minima) merges exactly the pairs a
/// plain full scan would, ties included: the cheapest pair, lowest indices
/// first, the higher index merged into the lower.
@Test func agglomerationMatchesAFullScan() {
    var seed: UInt64 = 0x5EED
    func next(_ bound: Int) -> Int {
        seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((seed >> 33) % UInt64(bound))
    }
    // Few distinct costs, so that ties are common.
    func cost(_ a: [Int], _ b: [Int]) -> Double {
        let sum: Int = a.reduce(0, +) + b.reduce(0, +)
        return Double((sum * 31) % 7) - 3
    }
    func fullScan(_ items: [[Int]], active: [Bool], goal: Int, stopAtZero: Bool) -> [Int] {
        var clusters = items, alive = active, owner = Array(items.indices)
        while alive.filter({ $0 }).count > max(1, goal) {
            var best = Double.infinity, bi = -1, bj = -1
            for i in clusters.indices where alive[i] {
                for j in (i + 1)..<clusters.count where alive[j] && cost(clusters[i], clusters[j]) < best {
                    best = cost(clusters[i], clusters[j]); bi = i; bj = j
                }
            }
            guard bi >= 0, !(stopAtZero && best >= 0) else { break }
            clusters[bi] += clusters[bj]
            alive[bj] = false
            for k in owner.indices where owner[k] == bj { owner[k] = bi }
        }
        return owner
    }
    for _ in 0..<300 {
        let n = 1 + next(14)
        let items: [[Int]] = (0..<n).map { _ in [next(50)] }
        let active = (0..<n).map { _ in next(6) != 0 }
        let goal = 1 + next(4), stopAtZero = next(2) == 0
        let found = Agglomeration.cluster(items, active: active, goal: goal, stopAtZero: stopAtZero,
                                          cost: cost, merge: { $0 += $1 })
        #expect(found == fullScan(items, active: active, goal: goal, stopAtZero: stopAtZero),
                "items \(items) active \(active) goal \(goal) stopAtZero \(stopAtZero)")
    }
}
