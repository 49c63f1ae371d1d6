import Resilience

/// Parses arbitrary bytes as a `Retry-After` value; on success checks the documented properties and traps if
/// one fails: every delay is in 0...2³¹ s for any current time, a run of ASCII digits is delta-seconds
/// (saturating at 2³¹), a sign is never accepted, and a date reads as the same instant in all three HTTP-date
/// formats (IMF-fixdate, RFC 850, asctime).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRetryAfter(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    var trimmed = Array(text.utf8)[...]
    while let first = trimmed.first, first == 0x20 || first == 0x09 { trimmed.removeFirst() }
    while let last = trimmed.last, last == 0x20 || last == 0x09 { trimmed.removeLast() }
    let digits = !trimmed.isEmpty && trimmed.allSatisfy { (0x30...0x39).contains($0) }

    let parsed: RetryAfter
    do {
        parsed = try RetryAfter(parsing: text)
    } catch {
        precondition(error.code == .invalidRetryAfter, "unexpected code \(error.code) for \(text.debugDescription)")
        precondition(!digits, "delta-seconds \(text.debugDescription) refused")
        return 0
    }
    precondition(
        (try? RetryAfter(parsing: Substring(text))) == parsed,
        "String and Substring disagree on \(text.debugDescription)")
    let bound = Duration.seconds(Int64(1) << 31)
    for now: Int64 in [.min, -62_135_596_800, -1, 0, 1_780_000_000, 253_402_300_799, .max] {
        let delay = parsed.delay(nowUnixSeconds: now)
        precondition(delay >= .zero && delay <= bound, "delay \(delay) at \(now) for \(text.debugDescription)")
    }
    if digits {
        var expected: Int64 = 0
        for digit in trimmed { expected = min(expected * 10 + Int64(digit - 0x30), 1 << 31) }
        precondition(parsed.delaySeconds == expected, "\(text.debugDescription) read as \(parsed)")
        precondition(parsed.unixSeconds == nil)
        return 0
    }
    precondition(parsed.delaySeconds == nil, "\(text.debugDescription) read as delta-seconds")
    precondition(trimmed.first.map { (0x41...0x5A).contains($0) } == true, "a date must start with a day name")

    // A date: write its instant in the three formats; each must read back as that instant.
    let instant: Int64
    if let unix = parsed.unixSeconds {
        instant = unix
    } else {
        // RFC 850: a year with those two digits, the latest not more than 50 years after the current time.
        let now: Int64 = 1_780_000_000  // 2026
        let atNow = parsed.delay(nowUnixSeconds: now)
        guard atNow > .zero else { return 0 }  // in the past at `now`: the instant is not observable
        instant = now + atNow.components.seconds
    }
    let (days, secondOfDay) = (floorDivide(instant, 86_400), instant - floorDivide(instant, 86_400) * 86_400)
    let (year, month, day) = civil(fromDays: days)
    guard (100...9899).contains(year) else { return 0 }  // RFC 850's century is resolved within years 1...9999
    let weekday = Int(((days + 3) % 7 + 7) % 7)  // 0 = Monday
    let time =
        pad(Int(secondOfDay / 3600), 2) + ":" + pad(Int(secondOfDay / 60 % 60), 2) + ":"
        + pad(Int(secondOfDay % 60), 2)
    let monthName = months[month - 1]
    let imf = "\(days3[weekday]), \(pad(day, 2)) \(monthName) \(pad(year, 4)) \(time) GMT"
    let asctime = "\(days3[weekday]) \(monthName) \(day < 10 ? " \(day)" : "\(day)") \(time) \(pad(year, 4))"
    let rfc850 = "\(daysLong[weekday]), \(pad(day, 2))-\(monthName)-\(pad(year % 100, 2)) \(time) GMT"
    for form in [imf, asctime] {
        guard let again = try? RetryAfter(parsing: form) else {
            fatalError("\(form) (from \(text.debugDescription)) refused")
        }
        precondition(again.unixSeconds == instant, "\(form) read as \(again), not \(instant)")
    }
    guard let again = try? RetryAfter(parsing: rfc850) else { fatalError("\(rfc850) refused") }
    precondition(again.unixSeconds == nil)
    precondition(again.delay(nowUnixSeconds: instant - 1_000) == .seconds(1_000), "\(rfc850) not read as \(instant)")
    return 0
}

let days3 = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
let daysLong = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

func floorDivide(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

/// Howard Hinnant's `civil_from_days`, written out here so the check does not share the parser's code.
func civil(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(day))
}
