#include "core/upstream_pool.h"

#include <cstring>

namespace fathom {
namespace {

bool same_addr(const sockaddr_storage& a, socklen_t alen, const sockaddr_storage& b,
               socklen_t blen) {
  return alen == blen && std::memcmp(&a, &b, alen) == 0;
}

}  // namespace

UpstreamPool::~UpstreamPool() {
  clear();
}

bufferevent* UpstreamPool::take(const sockaddr_storage& addr, socklen_t len) {
  while (!idle_.empty()) {
    Idle last = idle_.back();
    idle_.pop_back();
    if (!same_addr(last.addr, last.len, addr, len)) {
      bufferevent_free(last.bev);
      continue;
    }
    // Reading stays enabled: the caller sets its callbacks before the loop runs again, and
    // turning it off here only to turn it on there cost two epoll_ctl calls per request.
    bufferevent_setcb(last.bev, nullptr, nullptr, nullptr, nullptr);
    bufferevent_set_timeouts(last.bev, nullptr, nullptr);
    return last.bev;
  }
  return nullptr;
}

void UpstreamPool::give_back(bufferevent* bev, const sockaddr_storage& addr, socklen_t len,
                             size_t max_idle, std::chrono::milliseconds idle_timeout) {
  if (idle_.size() >= max_idle) {
    bufferevent_free(bev);
    return;
  }
  // While idle, any byte or close from the upstream makes the connection useless: watch for it
  // so that a request never starts on a connection already known to be dead.
  bufferevent_setcb(bev, on_idle_read, nullptr, on_idle_event, this);
  timeval tv{static_cast<time_t>(idle_timeout.count() / 1000),
             static_cast<suseconds_t>((idle_timeout.count() % 1000) * 1000)};
  bufferevent_set_timeouts(bev, &tv, nullptr);
  bufferevent_enable(bev, EV_READ);
  idle_.push_back({bev, addr, len});
}

void UpstreamPool::clear() {
  for (Idle& i : idle_) bufferevent_free(i.bev);
  idle_.clear();
}

void UpstreamPool::drop(bufferevent* bev) {
  for (size_t i = 0; i < idle_.size(); ++i) {
    if (idle_[i].bev == bev) {
      idle_[i] = idle_.back();
      idle_.pop_back();
      break;
    }
  }
  bufferevent_free(bev);
}

void UpstreamPool::on_idle_read(bufferevent* bev, void* arg) {
  static_cast<UpstreamPool*>(arg)->drop(bev);
}

void UpstreamPool::on_idle_event(bufferevent* bev, short, void* arg) {
  static_cast<UpstreamPool*>(arg)->drop(bev);
}

}  // namespace fathom
