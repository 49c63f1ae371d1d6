import Foundation
import SettlementSync
import SettlementSyncTesting
import Testing

/// The flow under load and faults, on simulated time: the acceptance run.
@Suite struct LoadInvariantTests {
    @Test func tenThousandRequestsFromSixtyFourDesksThroughAnOutageKeepEveryInvariant() async throws {
        var options = LoadOptions()
        options.requests = 10_000
        options.concurrency = 64
        options.duplicateRate = 0.05
        options.conflictRate = 0.01
        options.invalidRate = 0.02
        options.profile = .withOutage
        options.seed = 7
        let report = try await LoadRun.run(options)
        for invariant in report.invariants {
            #expect(invariant.passed, "\(invariant.name): \(invariant.detail)")
        }
        #expect(report.invariants.count == 7)
        #expect(report.sends >= 10_000)
        // The load reached every outcome it is built to provoke.
        #expect((report.statusCounts[201] ?? 0) > 9_000)
        #expect((report.outcomeCounts["201 replayed"] ?? 0) > 0, "duplicates replay")
        #expect((report.outcomeCounts["422 payload_mismatch"] ?? 0) > 0, "conflicting re-use is refused")
        #expect((report.outcomeCounts["422 invalid_payload"] ?? 0) >= 150, "about 2 % invalid payloads")
        #expect((report.outcomeCounts["503 circuit_open"] ?? 0) > 0, "the outage opens the breaker")
        #expect((report.statusCounts[502] ?? 0) > 0, "upstream rejections")
        #expect(report.upstream.outageFailures > 0, "the outage window was hit")
        #expect(report.upstream.keysBookedTwice == 0)
        #expect(report.upstream.resubmissionsUnderNewFence == 0)
        #expect(report.upstream.keysSubmittedUnderTwoOwners == 0)
        #expect(report.upstream.deaf > 0 && report.upstream.late > 0, "deaf and late attempts were injected")
        #expect(report.runsOnHold.count == 1, "the drifting run is on hold")
    }

    /// Issue 12: ambiguous attempts at 5 % each (deaf, late), with the journal store.
    @Test func deafAndLateUpstreamsNeverSeeAnInstructionFromTwoOwners() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("settlement-sync-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = LoadOptions()
        options.requests = 1_000
        options.concurrency = 32
        options.desks = 8
        options.profile = .deafAndLate
        options.journalPath = directory
        let report = try await LoadRun.run(options)
        for invariant in report.invariants {
            #expect(invariant.passed, "\(invariant.name): \(invariant.detail)")
        }
        #expect(report.upstream.deaf > 20 && report.upstream.late > 20)
        #expect(report.upstream.keysSubmittedUnderTwoOwners == 0)
        #expect((report.outcomeCounts["201 accepted"] ?? 0) > 800)
    }

    @Test func restartingWithTheSameJournalReplaysInsteadOfResending() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("settlement-sync-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = LoadOptions()
        options.requests = 300
        options.concurrency = 16
        options.desks = 4
        options.profile = .flaky
        options.journalPath = directory
        let report = try await LoadRun.run(options)
        for invariant in report.invariants {
            #expect(invariant.passed, "\(invariant.name): \(invariant.detail)")
        }
        let restart = try #require(report.invariants.last)
        #expect(restart.name.hasPrefix("restart replays"))
        #expect(restart.detail.contains("0 booked again"))
        #expect(report.acceptedBodiesBySpec.count > 250)
    }

    @Test func theWorkloadIsTheSameForTheSameSeed() {
        let first = Workload(
            requests: 500, desks: 8, duplicateRate: 0.05, conflictRate: 0.01, invalidRate: 0.02, seed: 3)
        let second = Workload(
            requests: 500, desks: 8, duplicateRate: 0.05, conflictRate: 0.01, invalidRate: 0.02, seed: 3)
        #expect(first.queues == second.queues)
        let all = first.queues.joined()
        #expect(all.count == 500)
        let kinds = Dictionary(grouping: all, by: \.kind).mapValues(\.count)
        #expect((kinds[.duplicate] ?? 0) > 0)
        #expect((kinds[.invalid] ?? 0) > 0)
        // Every duplicate is byte for byte an earlier request of its desk.
        for queue in first.queues {
            for (position, spec) in queue.enumerated() where spec.kind == .duplicate {
                #expect(
                    queue[..<position].contains { $0.headers == spec.headers && $0.body == spec.body })
            }
        }
    }
}
