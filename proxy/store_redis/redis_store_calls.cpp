// RedisStore's TokenStore calls: each is queued to the I/O thread, runs one script, and answers
// there.
#include <algorithm>

#include "ops/log.h"
#include "store_redis/redis_records.h"
#include "store_redis/redis_store_internal.h"

namespace fathom::store_redis {
namespace {

// Touches flushed per script call, so that one call never grows with the number of tokens.
constexpr size_t kTouchesPerScript = 500;

StoreStatus status_of(const std::string& s) {
  if (s == "ok") return StoreStatus::ok;
  if (s == "not_found") return StoreStatus::not_found;
  if (s == "conflict") return StoreStatus::conflict;
  if (s == "invalid_grant") return StoreStatus::invalid_grant;
  return StoreStatus::unavailable;
}

std::string time_arg(UnixTime t) {
  return std::to_string(t);
}

}  // namespace

void RedisStore::eval(Script which, std::vector<std::string> args,
                      std::function<void(ScriptAnswer)> done) {
  const ScriptText& s = script(which);
  auto argv = std::make_shared<std::vector<std::string>>();
  argv->reserve(args.size() + 4);
  *argv = {"EVALSHA", s.sha1, "0", options_.prefix};
  for (std::string& a : args) argv->push_back(std::move(a));
  commands_->command(*argv, [this, argv, which, done = std::move(done)](redisReply* r) mutable {
    if (r && r->type == REDIS_REPLY_ERROR &&
        std::string_view(r->str, r->len).rfind("NOSCRIPT", 0) == 0) {
      // Scripts are cached per server: a restart or a failover forgets them.
      (*argv)[0] = "EVAL";
      (*argv)[1] = script(which).body;
      commands_->command(
          *argv, [done = std::move(done)](redisReply* again) { done(read_script_reply(again)); });
      return;
    }
    done(read_script_reply(r));
  });
}

// Shared by every write: the answer's records, the invalidation told to our subscribers first.
void RedisStore::write_op(Script which, std::vector<std::string> args,
                          std::function<void(StoreResult)> done) {
  begin_call();
  post([this, which, args = std::move(args), done = std::move(done)]() mutable {
    auto finish = [this, done = std::move(done)](StoreResult result) {
      try {
        done(std::move(result));
      } catch (...) {
        log::error("store_callback_threw", {{"callback", "write"}});
      }
      end_call();
    };
    if (phase_ != Phase::ready) {
      finish(StoreResult{StoreStatus::unavailable, unavailable_message(), {}, {}, {}, {}});
      return;
    }
    eval(which, std::move(args), [this, finish = std::move(finish)](ScriptAnswer a) mutable {
      StoreResult result;
      if (!a.reached || a.status == "lost") {
        if (a.status == "lost") open_store(false);  // confirms, and refuses loudly
        result.status = StoreStatus::unavailable;
        result.message = a.reached ? unavailable_message() : a.message;
        finish(std::move(result));
        return;
      }
      result.status = status_of(a.status);
      result.message = a.message;
      try {
        if (!a.part(2).empty()) result.token = decode_token(a.part(2));
        if (!a.part(3).empty()) result.created = decode_token(a.part(3));
        if (!a.part(4).empty()) result.pair_code = decode_pair_code(a.part(4));
        result.cancelled_pair_codes = decode_pair_code_lines(a.part(7));
      } catch (const RecordError& e) {
        // Written, but unreadable: say so rather than answer ok without the record.
        log::error("redis_store_bad_record", {{"error", e.what()}});
        result = StoreResult{StoreStatus::unavailable,
                             std::string("a record read back from Redis is damaged: ") + e.what(),
                             {},
                             {},
                             {},
                             {}};
      }
      if (!a.part(5).empty()) notify(Invalidation{a.part(6), a.part(5)});
      finish(std::move(result));
    });
  });
}

// --- reads ---

void RedisStore::overlay_touches(TokenRecord& record) {
  std::lock_guard lock(touch_mu_);
  for (const auto* touches : {&pending_touches_, &flushing_touches_}) {
    auto it = touches->find(record.token_id);
    if (it != touches->end() && (!record.last_used_at || *record.last_used_at < it->second)) {
      record.last_used_at = it->second;
    }
  }
}

void RedisStore::find_by_hash(std::string_view secret_hash,
                              const std::function<void(StoreStatus, const TokenRecord*)>& done) {
  read_token(Script::find_by_hash, std::string(secret_hash), done);
}

void RedisStore::get(std::string_view token_id,
                     const std::function<void(StoreStatus, const TokenRecord*)>& done) {
  read_token(Script::get, std::string(token_id), done);
}

void RedisStore::read_token(Script which, std::string key,
                            std::function<void(StoreStatus, const TokenRecord*)> done) {
  begin_call();
  post([this, which, key = std::move(key), done = std::move(done)] {
    auto answer = [this, done](ScriptAnswer a) {
      StoreStatus status = StoreStatus::unavailable;
      std::optional<TokenRecord> record;
      if (a.reached && a.status == "lost") open_store(false);
      if (a.reached && a.status == "ok") {
        try {
          record = decode_token(a.part(2));
          overlay_touches(*record);
          status = StoreStatus::ok;
        } catch (const RecordError& e) {
          log::error("redis_store_bad_record", {{"error", e.what()}});
        }
      } else if (a.reached && a.status == "not_found") {
        status = StoreStatus::not_found;
      }
      try {
        done(status, record ? &*record : nullptr);
      } catch (...) {
        log::error("store_callback_threw", {{"callback", "read"}});
      }
      end_call();
    };
    if (phase_ != Phase::ready) return answer(ScriptAnswer{});
    eval(which, {key}, answer);
  });
}

void RedisStore::list(const std::function<void(StoreStatus, std::vector<TokenRecord>)>& done) {
  begin_call();
  post([this, done] {
    auto answer = [this, done](ScriptAnswer a) {
      StoreStatus status = StoreStatus::unavailable;
      std::vector<TokenRecord> all;
      if (a.reached && a.status == "lost") open_store(false);
      if (a.reached && a.status == "ok") {
        try {
          for (size_t i = 1; i < a.parts.size(); ++i) {
            all.push_back(decode_token(a.parts[i]));
            overlay_touches(all.back());
          }
          status = StoreStatus::ok;
        } catch (const RecordError& e) {
          log::error("redis_store_bad_record", {{"error", e.what()}});
          all.clear();
        }
      }
      try {
        done(status, std::move(all));
      } catch (...) {
        log::error("store_callback_threw", {{"callback", "list"}});
      }
      end_call();
    };
    if (phase_ != Phase::ready) return answer(ScriptAnswer{});
    eval(Script::list, {}, answer);
  });
}

void RedisStore::list_pair_codes(
    UnixTime now, const std::function<void(StoreStatus, std::vector<PairCodeRecord>)>& done) {
  begin_call();
  post([this, now, done] {
    auto answer = [this, done](ScriptAnswer a) {
      StoreStatus status = StoreStatus::unavailable;
      std::vector<PairCodeRecord> codes;
      if (a.reached && a.status == "lost") open_store(false);
      if (a.reached && a.status == "ok") {
        try {
          for (size_t i = 1; i < a.parts.size(); ++i) codes.push_back(decode_pair_code(a.parts[i]));
          status = StoreStatus::ok;
        } catch (const RecordError& e) {
          log::error("redis_store_bad_record", {{"error", e.what()}});
          codes.clear();
        }
      }
      try {
        done(status, std::move(codes));
      } catch (...) {
        log::error("store_callback_threw", {{"callback", "list_pair_codes"}});
      }
      end_call();
    };
    if (phase_ != Phase::ready) return answer(ScriptAnswer{});
    eval(Script::list_pair_codes, {time_arg(now)}, answer);
  });
}

// --- writes ---

void RedisStore::create(TokenRecord record, std::function<void(StoreResult)> done) {
  write_op(Script::create, {encode_token(record)}, std::move(done));
}

void RedisStore::revoke(std::string_view token_id, UnixTime now,
                        std::function<void(StoreResult)> done) {
  write_op(Script::revoke,
           {std::string(token_id), time_arg(now), instance_id_,
            std::to_string(options_.pair_code_retention.count())},
           std::move(done));
}

void RedisStore::rotate(std::string_view token_id, TokenRecord replacement,
                        std::optional<UnixTime> old_expires_at,
                        std::function<void(StoreResult)> done) {
  write_op(Script::rotate,
           {std::string(token_id), encode_token(replacement),
            old_expires_at ? time_arg(*old_expires_at) : std::string(), instance_id_},
           std::move(done));
}

void RedisStore::expire(std::string_view token_id, UnixTime now,
                        std::function<void(StoreResult)> done) {
  write_op(Script::expire,
           {std::string(token_id), time_arg(now), instance_id_,
            std::to_string(options_.pair_code_retention.count())},
           std::move(done));
}

void RedisStore::create_pair_code(PairCodeRecord code, std::function<void(StoreResult)> done) {
  write_op(Script::create_pair_code,
           {encode_pair_code(code), std::to_string(options_.pair_code_retention.count())},
           std::move(done));
}

void RedisStore::cancel_pair_code(std::string_view pair_code_id, UnixTime now,
                                  std::function<void(StoreResult)> done) {
  write_op(Script::cancel_pair_code,
           {std::string(pair_code_id), time_arg(now),
            std::to_string(options_.pair_code_retention.count())},
           std::move(done));
}

void RedisStore::redeem_pair_code(std::string_view code_hash, TokenRecord token,
                                  std::function<void(StoreResult)> done) {
  write_op(Script::redeem_pair_code,
           {std::string(code_hash), encode_token(token),
            std::to_string(options_.pair_code_retention.count())},
           std::move(done));
}

// --- touches ---

void RedisStore::touch(std::string_view token_id, UnixTime when) {
  // On the request path: one short lock, no I/O; the flush timer writes them.
  std::lock_guard lock(touch_mu_);
  auto it = pending_touches_.find(std::string(token_id));
  if (it == pending_touches_.end()) {
    pending_touches_.emplace(std::string(token_id), when);
  } else if (it->second < when) {
    it->second = when;
  }
}

void RedisStore::on_touch_flush(evutil_socket_t, short, void* arg) {
  static_cast<RedisStore*>(arg)->flush_touches();
}

// One script call per few hundred tokens, all pipelined on the command connection. Touches that
// could not be written wait for the next flush.
void RedisStore::flush_touches(std::function<void()> then) {
  std::vector<std::vector<std::string>> batches;
  {
    std::lock_guard lock(touch_mu_);
    if (phase_ != Phase::ready || pending_touches_.empty() || !flushing_touches_.empty()) {
      if (then) then();
      return;
    }
    flushing_touches_.swap(pending_touches_);
    for (const auto& [id, when] : flushing_touches_) {
      if (batches.empty() || batches.back().size() >= kTouchesPerScript * 2) batches.emplace_back();
      batches.back().push_back(id);
      batches.back().push_back(time_arg(when));
    }
  }
  auto remaining = std::make_shared<size_t>(batches.size());
  auto failed = std::make_shared<bool>(false);
  for (auto& batch : batches) {
    eval(Script::touch, std::move(batch), [this, remaining, failed, then](ScriptAnswer a) {
      if (!a.reached || a.status != "ok") *failed = true;
      if (--*remaining > 0) return;
      {
        std::lock_guard lock(touch_mu_);
        if (*failed) {
          for (const auto& [id, when] : flushing_touches_) {
            auto& kept = pending_touches_[id];
            kept = std::max(kept, when);
          }
        }
        flushing_touches_.clear();
      }
      if (then) then();
    });
  }
}

}  // namespace fathom::store_redis
