// The seed's protocol in two constants: what its client sends and what its
// server answers. Defaults everywhere, and what `send` knows a reply must be.
#pragma once

#include <string_view>

namespace tcpecho {

inline constexpr std::string_view seed_greeting = "Greetings, server";
inline constexpr std::string_view seed_reply = "Goodbye, client!";

}  // namespace tcpecho
