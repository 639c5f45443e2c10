// What a coroutine's completion handler says about an exception that ended
// it: every co_spawn in tcpecho hands its failure to a handler that reports
// it, so that no failure vanishes the way asio::detached lets it.
#pragma once

#include <exception>
#include <string>

namespace tcpecho {

// The exception's own words, for a one-line report.
inline std::string failure_text(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace tcpecho
