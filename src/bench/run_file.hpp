// A bench run read back from its JSON (`bench --json`, or the "report" line
// of `bench --log-format json`): what was asked and what was measured, as
// the run itself held them, histograms decoded from HdrHistogram's
// compressed form, so that runs merge exactly.
#pragma once

#include <string>

#include "bench/bench.hpp"

namespace tcpecho {

struct RunFile {
  std::string name;  // the path, or "-" for standard input
  BenchConfig config;
  BenchResult result;
  std::string message_base64;  // the message the modes that send one sent
};

// Reads `path` ("-": standard input); a StartupError (exit 2) naming the file
// and what is wrong with it if it holds no bench report.
RunFile read_run_file(const std::string& path);

}  // namespace tcpecho
