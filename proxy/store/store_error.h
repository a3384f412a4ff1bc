#pragma once

#include <stdexcept>

namespace fathom::store {

// The store cannot open (lock held, wrong key, corrupt files) or cannot write. The message names
// the file and says what to do; it never holds a secret.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace fathom::store
