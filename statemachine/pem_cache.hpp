// The PEM cache: credential files (certfile, keyfile, cacertfile, dhfile) read once and shared by every
// Config::make that names them. An entry is revalidated (device, inode, size and modification time) at
// most once per `ssl_pem_cache_clean` interval; a changed file is read again, an unchanged one is not.
// clear() empties the cache unconditionally (ssl:clear_pem_cache/0). Thread-safe.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "essl/result.hpp"

namespace essl::pem_cache {

using Contents = std::shared_ptr<const std::vector<uint8_t>>;

// The reference's default interval between validations: two minutes.
inline constexpr std::chrono::milliseconds default_clean_interval{120000};

// Larger files are refused: credential files are a few kilobytes, and reading a device or a huge file
// would stall the caller.
inline constexpr uint64_t max_file_size = 16u << 20;

// The file's bytes, from the cache while it is fresh. The error says why in words ("no such file",
// "permission denied", "not a regular file", "larger than 16 MiB"), without the path.
Result<Contents, std::string> read(const std::string& path);

// Empties the cache: the next read of every file goes to the file system.
void clear();

// The validation interval (ssl_pem_cache_clean); zero checks the file on every read.
void set_clean_interval(std::chrono::milliseconds interval);
std::chrono::milliseconds clean_interval();

// How many times a file's contents were read from the file system since the process started.
uint64_t file_reads();

}  // namespace essl::pem_cache
