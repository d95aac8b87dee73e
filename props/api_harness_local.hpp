// What the API harness's own files share: the answer wait and the bytes each side writes.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace essl::props {

// How long an answer the model expects (data, `closed`, an alert) may take to come.
inline constexpr std::chrono::milliseconds answer_wait{5000};

// Stream positions numbered into the bytes, so that loss, duplication and reordering show.
inline uint8_t sut_byte(size_t at) { return uint8_t(at * 31 / 7 + 3); }
inline uint8_t peer_byte(size_t at) { return uint8_t(at * 13 / 5 + 11); }

}  // namespace essl::props
