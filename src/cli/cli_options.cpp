// The kinds of option the command line is made of: see cli_options.hpp.
#include "cli/cli_options.hpp"

#include <cmath>
#include <thread>

#include "output/output.hpp"  // seconds_of

namespace tcpecho {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The byte that the escape at text[i] (a backslash) spells; i is left on
// the escape's last character.
std::optional<char> escaped_byte(std::string_view text, std::size_t& i) {
  if (++i == text.size()) return std::nullopt;
  switch (text[i]) {
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case '0':
      return '\0';
    case '\\':
    case '\'':
    case '"':
      return text[i];
    case 'x': {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      i += 2;
      return static_cast<char>(high * 16 + low);
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

const CLI::Validator not_empty(
    [](std::string& value) { return value.empty() ? std::string("must not be empty") : ""; }, "");

// A text option that may spell binary bytes with escapes.
CLI::Option* add_bytes_option(CLI::App& app, const std::string& name, std::string& target,
                              const std::string& help) {
  return app
      .add_option_function<std::string>(
          name,
          [&target, name](const std::string& text) {
            auto bytes = unescape(text);
            if (!bytes) throw CLI::ValidationError(name, "invalid escape in '" + text + "'");
            target = std::move(*bytes);
          },
          help + escapes_help)
      ->type_name("TEXT")
      ->default_str(target);
}

// A number from `low` to `high`, said in words: CLI11's own Range prints
// fractional bounds with six decimals.
CLI::Validator number_from(double low, double high, const std::string& unit) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        double number = 0;
        if (CLI::detail::lexical_cast(text, number) && number >= low && number <= high) return "";
        return fmt::format("must be a number{} from {:g} to {:.0f}, not '{}'", unit, low, high,
                           text);
      },
      "");
}

// Seconds on the command line, fractions allowed, kept as milliseconds.
CLI::Option* add_seconds_option(CLI::App& app, const std::string& name,
                                std::chrono::milliseconds& target, const std::string& help,
                                double minimum) {
  return app
      .add_option_function<double>(
          name,
          [&target](double seconds) {
            target = std::chrono::milliseconds(std::llround(seconds * 1000.0));
          },
          help)
      ->type_name("SECONDS")
      ->check(number_from(minimum, 86400.0, " of seconds"))
      ->default_str(fmt::format("{:g}", seconds_of(target)));
}

// --threads N, where 0 (resolved here) means one per core.
void add_threads_option(CLI::App& app, std::size_t& target, const std::string& help) {
  app.add_option_function<std::size_t>(
         "--threads",
         [&target](std::size_t n) {
           target = n > 0 ? n : std::max(1u, std::thread::hardware_concurrency());
         },
         help + "; 0 means one per core")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1024}).description(""))
      ->default_str(std::to_string(target));
}

CLI::Option* add_log_format_option(CLI::App& app, LogFormat& target) {
  return add_choice_option(
      app, "--log-format", target,
      {{"transcript", LogFormat::transcript}, {"json", LogFormat::json}},
      "transcript: the seed's lines and one-line errors; json: one JSON object per line, on "
      "stdout and stderr alike, errors included (fields in the man page)");
}

void add_report_format_options(CLI::App& app, bool& json, LogFormat& log_format, bool& histogram,
                               const std::string& json_help, const std::string& histogram_help) {
  auto* one_object = app.add_flag("--json", json, json_help);
  auto* lines = add_log_format_option(app, log_format);
  app.add_flag("--histogram", histogram, histogram_help)->excludes(one_object)->excludes(lines);
}

CLI::Option* add_per_second_option(CLI::App& app, const std::string& name, double& target,
                                   double highest, const std::string& help) {
  return app.add_option(name, target, help)
      ->type_name("PER_SECOND")
      ->check(number_from(0.0, highest, ""))
      ->capture_default_str();
}

void refuse_unless(const CLI::App& app, const std::string& name, bool applies,
                   const std::string& why) {
  const CLI::Option* option = app.get_option_no_throw(name);
  if (!applies && option != nullptr && option->count() > 0) throw CLI::ValidationError(name, why);
}

std::optional<std::string> unescape(std::string_view text) {
  std::string bytes;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      bytes += text[i];
      continue;
    }
    const auto byte = escaped_byte(text, i);
    if (!byte) return std::nullopt;
    bytes += *byte;
  }
  return bytes;
}

}  // namespace tcpecho
