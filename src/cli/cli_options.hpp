// The kinds of option the command line is made of, each checked where it
// is parsed and explained in its --help line: bytes with escapes, numbers in
// a range said in words, one of a few names, seconds, --threads, where to
// listen or connect. cli.cpp and cli_tls.cpp describe the subcommands with
// them.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/log_format.hpp"

namespace tcpecho {

inline constexpr const char* escapes_help = R"( (escapes: \n \r \t \0 \\ \' \" \xhh))";

extern const CLI::Validator not_empty;

// A text option that may spell binary bytes with escapes.
CLI::Option* add_bytes_option(CLI::App& app, const std::string& name, std::string& target,
                              const std::string& help);

// A number from `low` to `high`, said in words: CLI11's own Range prints
// fractional bounds with six decimals.
CLI::Validator number_from(double low, double high, const std::string& unit);

// One of a few names, in any case; the error lists them, where CLI11's own
// transformer would list them with the numbers they stand for.
template <typename Enum>
CLI::Option* add_choice_option(CLI::App& app, const std::string& name, Enum& target,
                               const std::vector<std::pair<std::string, Enum>>& choices,
                               const std::string& help) {
  std::vector<std::string> names;
  std::string current;
  for (const auto& [choice, value] : choices) {
    names.push_back(choice);
    if (value == target) current = choice;
  }
  return app
      .add_option_function<std::string>(
          name,
          [&target, choices, names, name](const std::string& text) {
            for (const auto& [choice, value] : choices) {
              if (CLI::detail::to_lower(text) == choice) {
                target = value;
                return;
              }
            }
            throw CLI::ValidationError(
                name, fmt::format("'{}' is not one of {}", text, fmt::join(names, ", ")));
          },
          help)
      ->type_name(fmt::format("{}", fmt::join(names, "|")))
      ->default_str(current);
}

// Seconds on the command line, fractions allowed, kept as milliseconds.
CLI::Option* add_seconds_option(CLI::App& app, const std::string& name,
                                std::chrono::milliseconds& target, const std::string& help,
                                double minimum = 0.0);

// --threads N, where 0 (resolved here) means one per core.
void add_threads_option(CLI::App& app, std::size_t& target, const std::string& help);

// --log-format transcript|json, for every subcommand.
CLI::Option* add_log_format_option(CLI::App& app, LogFormat& target);

// How bench and bench merge report: --json (one object), --log-format, and
// --histogram (bars in the terminal, so neither of the others).
void add_report_format_options(CLI::App& app, bool& json, LogFormat& log_format, bool& histogram,
                               const std::string& json_help, const std::string& histogram_help);

// A rate, PER_SECOND from 0 (none: as fast as it goes) to `highest`.
CLI::Option* add_per_second_option(CLI::App& app, const std::string& name, double& target,
                                   double highest, const std::string& help);

// Refuses `name`, if it was given, where it does not apply (`why`).
void refuse_unless(const CLI::App& app, const std::string& name, bool applies,
                   const std::string& why);

// Option text with escapes (\n \r \t \0 \\ \' \" \xhh) as bytes; empty if an
// escape is malformed. Reads back what python::bytes_repr() writes, quotes
// aside.
std::optional<std::string> unescape(std::string_view text);

}  // namespace tcpecho
