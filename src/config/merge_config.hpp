// What `tcpecho bench merge` is asked to do: which runs, and how to report
// them combined.
#pragma once

#include <string>
#include <vector>

#include "config/log_format.hpp"

namespace tcpecho {

struct MergeConfig {
  std::vector<std::string> files;  // bench --json output; "-": standard input
  bool json = false;
  bool histogram = false;
  LogFormat log_format = LogFormat::transcript;
  std::string percentiles_path;  // .hgrm of the merged latencies
  std::string svg_path;          // the merged picture
};

}  // namespace tcpecho
