// `tcpecho serve` as a whole: a Server per thread; see server_group.hpp.
#include "server/server_group.hpp"

#include <thread>

#include "failure.hpp"
#include "listen/listen.hpp"
#include "stop_on_signals.hpp"

namespace tcpecho {

ServerGroup::ServerGroup(const ServerConfig& config, Output& out)
    : config_(config), out_(out), shared_(config, config.threads) {
  shared_.stop_all = [this](std::string_view reason) { shutdown(reason); };
  try {
    start();
  } catch (const StartupError&) {
    if (!servers_.empty()) servers_.front()->remove_socket_files();
    throw;
  }
}

void ServerGroup::start() {
  for (std::size_t i = 0; i < config_.threads; ++i) {
    // With several threads, signals, shutdowns and freed slots post across
    // them; alone, everything happens on the one thread.
    auto& io = *contexts_.emplace_back(
        std::make_unique<asio::io_context>(config_.threads == 1 ? one_thread_only : one_thread_io));
    auto sockets = i == 0 ? listen(io.get_executor(), config_)
                          : servers_.front()->listen_again(io.get_executor());
    servers_.push_back(std::make_unique<Server>(io.get_executor(), config_, out_, shared_,
                                                std::move(sockets), i == 0));
    if (i == 0) shared_.start_tls(config_, local_endpoints());
  }
  std::vector<const Tally*> tallies;
  for (const auto& server : servers_) tallies.push_back(server->tally());
  shared_.start_metrics(config_, std::move(tallies), local_endpoints());
}

std::vector<Endpoint> ServerGroup::local_endpoints() const {
  return servers_.front()->local_endpoints();
}

int ServerGroup::run() {
  const auto main = executor(0);
  StopOnSignals signals(
      main, [this](int signal) { shutdown(signal_name(signal)); },
      [this](int signal) { abort(signal_name(signal)); });
  all_finished_ = [main, &signals] { asio::post(main, [&signals] { signals.cancel(); }); };

  running_ = servers_.size();
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    co_spawn(executor(i), servers_[i]->run(), [this, i](std::exception_ptr failure) {
      if (failure) fail(i, failure);
      on_server_finished();
    });
  }
  {
    std::vector<std::jthread> threads;
    for (std::size_t i = 1; i < servers_.size(); ++i)
      threads.emplace_back([this, i] { run_thread(i); });
    run_thread(0);
  }

  if (auto signal = signals.forced_by_signal()) return signal_exit_status(*signal);
  bool healthy = !failed_;
  for (const auto& server : servers_) healthy = healthy && server->healthy();
  return static_cast<int>(healthy ? ExitStatus::ok : ExitStatus::internal_error);
}

// An exception out of a handler ends run(); the thread goes back to running
// its io_context, so that it drains like the others and the joins end.
void ServerGroup::run_thread(std::size_t thread) {
  for (;;) {
    try {
      contexts_[thread]->run();
      return;
    } catch (...) {
      fail(thread, std::current_exception());
    }
  }
}

void ServerGroup::fail(std::size_t thread, const std::exception_ptr& failure) {
  out_.print_error("tcpecho: internal error on server thread {}: {}", thread + 1,
                   failure_text(failure));
  failed_ = true;
  shutdown("internal error");
}

void ServerGroup::on_server_finished() {
  if (--running_ == 0) all_finished_();
}

void ServerGroup::shutdown(std::string_view reason) {
  for (auto& server : servers_) {
    asio::post(server->executor(),
               [s = server.get(), why = std::string(reason)] { s->shutdown(why); });
  }
}

void ServerGroup::abort(std::string_view reason) {
  for (auto& server : servers_) {
    asio::post(server->executor(),
               [s = server.get(), why = std::string(reason)] { s->abort(why); });
  }
}

}  // namespace tcpecho
