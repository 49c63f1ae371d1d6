import ETRMTestSupport
import Resilience
import ResilienceTesting

/// An upstream failure, optionally carrying a `Retry-After` hint.
struct UpstreamError: Error, Equatable, RetryAfterProviding {
    var status: Int
    var retryAfter: Duration?

    init(status: Int = 500, retryAfter: Duration? = nil) {
        self.status = status
        self.retryAfter = retryAfter
    }
}

/// A response the upstream returned (a 503 is a result, not an error).
struct Response: Sendable, Equatable {
    var status: Int
    var retryAfter: Duration?
}

/// Events of the strategies under test as an async stream, finished by the test when the work is done.
struct EventStream: Sendable {
    let stream: AsyncStream<ResilienceEvent>
    let continuation: AsyncStream<ResilienceEvent>.Continuation
    let observer: ClosureObserver
    let recorder = Recorder<ResilienceEvent>()

    init() {
        let (stream, continuation) = AsyncStream.makeStream(of: ResilienceEvent.self)
        self.stream = stream
        self.continuation = continuation
        let recorder = self.recorder
        self.observer = ClosureObserver { event in
            recorder.append(event)
            continuation.yield(event)
        }
    }

    /// Advances `clock` by every scheduled retry delay as soon as the retry is asleep, until the stream ends.
    /// `otherSleepers` counts the tasks asleep on the clock besides the retry (a timeout's timer).
    func driveRetries(on clock: ManualClock, otherSleepers: Int = 0) async {
        for await event in stream {
            if event.kind == .retryScheduled, let delay = event.delay, delay > .zero {
                await clock.waitForSleepers(count: otherSleepers + 1)
                clock.advance(by: delay)
            }
        }
    }

    var names: [String] { recorder.values.map(\.name) }
}
