// A wall-clock time as people and schedulers write it, for bench
// --start-at: RFC 3339 ("2026-12-06T20:00:00Z", "2026-12-06T21:00:00.5+01:00")
// or Unix seconds ("1796587200", "1796587200.25").
#pragma once

#include <optional>
#include <string_view>

namespace tcpecho {

// Unix time in seconds; none if `text` is neither form.
std::optional<double> unix_time_of(std::string_view text);

}  // namespace tcpecho
