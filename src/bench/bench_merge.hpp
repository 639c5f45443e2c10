// `tcpecho bench merge`: runs from several machines (or one machine at
// several times) combined exactly, as if one bench had run them all: counts
// and errors by kind summed, every histogram added bucket by bucket,
// intervals aligned on their wall-clock start, rates recomputed from the
// sums over the merged window (from the earliest start to the latest end),
// never averaged. Runs that do not go together (another mode, size, message
// or interval) are refused with one line naming the difference.
#pragma once

#include "config/merge_config.hpp"
#include "exit_status.hpp"
#include "output/output.hpp"

namespace tcpecho {

ExitStatus merge_runs(const MergeConfig& config, Output& out);

}  // namespace tcpecho
