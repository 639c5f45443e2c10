// --metrics in a build without prometheus-cpp (-Dmetrics=disabled, or no
// prometheus-cpp-dev): refused at start with one line, and nothing else
// changes.
#include "exit_status.hpp"
#include "metrics/exposition.hpp"

namespace tcpecho {

std::unique_ptr<MetricsExposer> expose_metrics(const MetricsAddress&, std::vector<const Tally*>,
                                               std::vector<std::string>) {
  throw StartupError(ExitStatus::usage,
                     "--metrics: this tcpecho was built without metrics (prometheus-cpp was not "
                     "found)");
}

}  // namespace tcpecho
