// What the two halves of RedisStore (redis_store.cpp: connections and state;
// redis_store_calls.cpp: the TokenStore calls) share.
#pragma once

#include <hiredis/hiredis.h>

#include <string>
#include <vector>

#include "store_redis/redis_store.h"

namespace fathom::store_redis {

// A script's reply, flattened. `reached` is false when Redis did not answer (no connection,
// timeout) or answered with an error; `status` is then empty and `message` says why.
struct RedisStore::ScriptAnswer {
  bool reached = false;
  bool error_reply = false;  // not reached because Redis answered an error
  std::string status;        // ok, not_found, conflict, invalid_grant, lost, fresh, mismatch, ...
  std::string message;       // the script's message, or why Redis did not answer
  std::vector<std::string> parts;  // every element of the reply, status included

  const std::string& part(size_t i) const {
    static const std::string kNone;
    return i < parts.size() ? parts[i] : kNone;
  }
};

}  // namespace fathom::store_redis
