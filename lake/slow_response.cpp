#include "slow_response.h"

#include <event2/buffer.h>

namespace fathom::lake {

StreamStep SlowResponse::on_timer(evbuffer* out) {
  evbuffer_add(out, response_.data(), response_.size());
  return StreamStep{.done = true};
}

}  // namespace fathom::lake
