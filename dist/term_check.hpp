// A bounds-checked walk over the external term format (without the version byte).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace essl::dist {

// The size of the one well-formed term at the start of `bytes`, or nullopt when it is malformed, runs
// past the end, is nested deeper than 256, or holds a fun (EXPORT_EXT too) or an old
// text float (FLOAT_EXT).
std::optional<size_t> checked_term_size(std::span<const uint8_t> bytes);

}  // namespace essl::dist
