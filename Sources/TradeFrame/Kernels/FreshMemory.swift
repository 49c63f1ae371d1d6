#if canImport(Glibc)
    import Glibc
#endif

/// Makes a freshly allocated large buffer (a result column, a hash table) cheap to write for the first time.
///
/// A new 40 MB result buffer comes from `mmap` untouched; writing it then takes one page fault per 4 KiB page
/// (about 10,000 for a 10-million-row Float32 column), which under load cost more than the conversion itself. On
/// Linux the buffer's interior is marked for transparent huge pages and populated with one `madvise` call, so the
/// kernel maps it in 2 MiB pages without a fault per page. The zeroing of fresh pages still happens (it is part of
/// what a new result costs); elsewhere, and for small buffers, this does nothing.
enum FreshMemory {
    /// Buffers below this size are left alone: their faults cost little.
    static let threshold = 4 << 20

    /// Prepares `byteCount` bytes at `pointer`, which nothing has written yet, for writing.
    static func prepare(_ pointer: UnsafeMutableRawPointer?, byteCount: Int) {
        #if os(Linux)
            guard byteCount >= threshold, let pointer else { return }
            let page = 4096
            let start = (Int(bitPattern: pointer) + page - 1) & ~(page - 1)
            let end = (Int(bitPattern: pointer) + byteCount) & ~(page - 1)
            guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
            // Both are advice: an older kernel or a disabled THP setting only makes them no-ops (EINVAL).
            _ = madvise(aligned, end - start, MADV_HUGEPAGE)
            _ = madvise(aligned, end - start, 23)  // MADV_POPULATE_WRITE (Linux 5.14)
        #endif
    }
}
