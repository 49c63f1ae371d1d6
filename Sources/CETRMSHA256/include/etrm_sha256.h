// SHA-256 block compression with the x86 SHA extensions, for ETRMShared's SHA256 (which falls back to portable
// Swift where they are missing). Kept in C because Swift has no access to the SHA instructions.
#ifndef ETRM_SHA256_H
#define ETRM_SHA256_H

#include <stddef.h>
#include <stdint.h>

/// The 64 round constants of FIPS 180-4, 4.2.2 (the portable Swift rounds read them too).
const uint32_t *etrm_sha256_round_constants(void);

/// Whether this processor has the SHA extensions (and SSSE3 and SSE4.1, which the code also uses).
int etrm_sha256_accelerated(void);

/// Compresses `blocks` 64-byte blocks at `data` into `state` (the eight words, a to h). Only call it when
/// `etrm_sha256_accelerated()` returned 1.
void etrm_sha256_compress(uint32_t state[8], const uint8_t *data, size_t blocks);

#endif
