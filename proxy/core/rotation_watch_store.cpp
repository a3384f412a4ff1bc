#include "core/rotation_watch_store.h"

#include "ops/log.h"

namespace fathom {

void RotationWatchStore::rotate(std::string_view token_id, TokenRecord replacement,
                                std::optional<UnixTime> old_expires_at,
                                std::function<void(StoreResult)> done) {
  inner_.rotate(token_id, std::move(replacement), old_expires_at,
                [this, done = std::move(done)](StoreResult result) {
                  // Before the caller hears of it, so that the file is gone by the time the
                  // rotation is acknowledged; a throwing watcher must not lose the answer.
                  if (result.status == StoreStatus::ok && result.token) {
                    try {
                      on_rotated_(*result.token);
                    } catch (const std::exception& e) {
                      log::error("rotation_watch_failed", {{"error", e.what()}});
                    }
                  }
                  done(std::move(result));
                });
}

}  // namespace fathom
