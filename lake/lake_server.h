// What every connection of the lake shares: the loop, the options, the counters.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <unordered_set>

#include "request_recorder.h"

struct event_base;

namespace fathom::lake {

class LakeConnection;

struct LakeServer {
  event_base* base = nullptr;
  bool quiet = false;
  std::unique_ptr<RequestRecorder> recorder;  // null without --record
  uint64_t requests = 0;                      // request heads received so far
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  // Live connections, so that shutdown frees them all (and leak checkers stay quiet).
  std::unordered_set<LakeConnection*> connections;
};

}  // namespace fathom::lake
