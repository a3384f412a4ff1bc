// Moving a chunked body between evbuffers, one decoder step at a time, without copying payload.
#pragma once

#include <event2/buffer.h>

#include "http/chunked.h"

namespace fathom {

// Acts on one ChunkedDecoder step at the front of `in`: framing is dropped, payload moves to
// `out` (re-encoded as one chunk when `rechunk`, else bare). A size line that straddles evbuffer
// chains is joined (at most 8 KiB) before the decoder looks again. need_more: wait for bytes.
http::ChunkedDecoder::Step chunk_step(http::ChunkedDecoder& dec, evbuffer* in, evbuffer* out,
                                      bool rechunk);

}  // namespace fathom
