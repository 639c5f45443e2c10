// Wall-clock times for --start-at: see cli_time.hpp.
#include "cli/cli_time.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>
#include <string>

namespace tcpecho {
namespace {

std::optional<double> unix_seconds(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

// "Z", "+01:00", "-05:30": seconds east of UTC.
std::optional<int> utc_offset(std::string_view zone) {
  if (zone == "Z" || zone == "z") return 0;
  int hours = 0, minutes = 0;
  char sign = 0, end = 0;
  const std::string copy(zone);
  if (std::sscanf(copy.c_str(), "%c%2d:%2d%c", &sign, &hours, &minutes, &end) != 3 ||
      (sign != '+' && sign != '-') || copy.size() != 6 || hours > 23 || minutes > 59) {
    return std::nullopt;
  }
  return (sign == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
}

std::optional<double> rfc3339(std::string_view text) {
  std::tm t{};
  int consumed = 0;
  const std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &t.tm_year, &t.tm_mon,
                  &t.tm_mday, &t.tm_hour, &t.tm_min, &t.tm_sec, &consumed) != 6 ||
      consumed != 19) {
    return std::nullopt;
  }
  auto rest = text.substr(19);
  double fraction = 0;
  if (rest.starts_with('.')) {
    const auto digits = rest.find_first_not_of("0123456789", 1);
    if (digits == 1) return std::nullopt;
    fraction = *unix_seconds("0" + std::string(rest.substr(0, digits)));
    rest = rest.substr(digits == std::string_view::npos ? rest.size() : digits);
  }
  const auto offset = utc_offset(rest);
  if (!offset || t.tm_mon < 1 || t.tm_mon > 12 || t.tm_mday < 1 || t.tm_mday > 31) {
    return std::nullopt;
  }
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  return static_cast<double>(timegm(&t) - *offset) + fraction;
}

}  // namespace

std::optional<double> unix_time_of(std::string_view text) {
  if (auto seconds = unix_seconds(text)) return seconds;
  return rfc3339(text);
}

}  // namespace tcpecho
