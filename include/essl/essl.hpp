// Everything a program using essl needs.
#pragma once
#include "essl/alert.hpp"
#include "essl/connection_info.hpp"
#include "essl/error.hpp"
#include "essl/event.hpp"
#include "essl/logger.hpp"
#include "essl/options.hpp"
#include "essl/result.hpp"
#include "essl/session_cache.hpp"
#include "essl/ssl.hpp"
#include "essl/suites.hpp"
#include "essl/tls.hpp"
#include "essl/verify.hpp"
