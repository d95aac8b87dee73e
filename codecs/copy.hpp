// Appending bulk bytes (a record's plaintext or ciphertext) to a buffer.
//
// glibc 2.36's memcpy copies blocks above a few KiB with `rep movsb`, and AMD Zen 3 and later run that
// instruction many times slower when the destination is not aligned like the source. A record's body sits
// at an odd offset after its header (5 bytes, plus 8 for a GCM explicit nonce), so on such machines every
// 16 KiB record paid for it: `essl-bench-floor` measured the in-memory record layer at 0.64-0.75 of the
// raw cipher after the heap's layout changed, and 0.91-1.08 with rep movsb turned off. A plain 16-byte
// vector loop runs at the same speed for any alignment.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace essl::codec {

// Copies n bytes (no overlap) in 64-byte blocks of unaligned vector moves, then the tail.
inline void copy_bytes(uint8_t* dst, const uint8_t* src, size_t n) {
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    uint8_t block[64];
    std::memcpy(block, src + i, 64);
    std::memcpy(dst + i, block, 64);
  }
  if (i < n) std::memcpy(dst + i, src + i, n - i);
}

// out += bytes. Small appends (headers, nonces) go through vector::insert as usual.
inline void append_bytes(std::vector<uint8_t>& out, std::span<const uint8_t> bytes) {
  if (bytes.size() < 1024) {
    out.insert(out.end(), bytes.begin(), bytes.end());
    return;
  }
  const size_t at = out.size();
  out.resize(at + bytes.size());
  copy_bytes(out.data() + at, bytes.data(), bytes.size());
}

}  // namespace essl::codec
