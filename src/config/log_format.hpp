// --log-format, for serve, send and bench alike: the seed's words, or one
// JSON object per line on stdout and stderr (fields in the man page).
#pragma once

namespace tcpecho {

enum class LogFormat { transcript, json };

}  // namespace tcpecho
