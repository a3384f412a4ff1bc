// The link between a locally answered request and its handler, which may answer from another
// thread. The handler's Responder holds this; the connection detaches itself when it goes away,
// so a late answer finds nobody and is dropped.
#pragma once

#include <atomic>
#include <memory>

#include "fathom/plugin.h"

namespace fathom {

class ClientConnection;
class Worker;

struct LocalRequestState {
  Worker* worker = nullptr;
  ClientConnection* connection = nullptr;  // touched on the worker's thread only
  std::atomic<bool> cancelled{false};
  std::atomic<bool> answered{false};

  void detach() {
    connection = nullptr;
    cancelled.store(true);
  }
};

class LocalResponder final : public Responder {
 public:
  explicit LocalResponder(std::shared_ptr<LocalRequestState> state) : state_(std::move(state)) {}
  void respond(Response response) override;
  bool cancelled() const override { return state_->cancelled.load(); }

 private:
  std::shared_ptr<LocalRequestState> state_;
};

}  // namespace fathom
