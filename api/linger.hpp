// Closing without blocking the caller and without resets: a background thread keeps each closed
// connection's descriptor, reads and drops what the peer still sends until the peer closes (or a
// deadline), and only then closes it. Closing with unread bytes would make TCP send a reset that can
// destroy our own last records (close_notify, a fatal alert) before the peer reads them.
#pragma once
#include <chrono>

#include "api/tcp.hpp"

namespace essl::detail {

void linger_close(tcp::Fd fd, std::chrono::milliseconds max_wait);

}  // namespace essl::detail
